"""Route handlers, one module per API section; ``ROUTES`` is what the app registers."""

from __future__ import annotations

from entrypoints.http.controllers.bank_webhooks import BankWebhooksController
from entrypoints.http.controllers.banking import BankingController
from entrypoints.http.controllers.budgets import BudgetController
from entrypoints.http.controllers.calc import CalcController
from entrypoints.http.controllers.goals import GoalController
from entrypoints.http.controllers.health import HealthController
from entrypoints.http.controllers.identity import (
    AdminAuditController,
    AdminUsersController,
    AuthController,
    MeController,
)
from entrypoints.http.controllers.market import MarketController
from entrypoints.http.controllers.merchants import MerchantController
from entrypoints.http.controllers.net_worth import NetWorthController
from entrypoints.http.controllers.operations import MaintenanceController, MetricsController
from entrypoints.http.controllers.payments import PaymentController
from entrypoints.http.controllers.settlements import SettlementController
from entrypoints.http.controllers.webhooks import EventsController, WebhookEndpointsController

__all__ = ["ROUTES"]

ROUTES: list[type] = [HealthController]
ROUTES += [AuthController, MeController, AdminUsersController, AdminAuditController]
ROUTES += [MetricsController, MaintenanceController]
ROUTES += [CalcController, MarketController, BudgetController, GoalController, NetWorthController]
ROUTES += [MerchantController, PaymentController, SettlementController]
ROUTES += [BankingController, BankWebhooksController]
ROUTES += [EventsController, WebhookEndpointsController]
