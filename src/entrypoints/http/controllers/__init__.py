"""Route handlers, one module per API section; ``ROUTES`` is what the app registers."""

from __future__ import annotations

from entrypoints.http.controllers.budgets import BudgetController
from entrypoints.http.controllers.calc import CalcController
from entrypoints.http.controllers.goals import GoalController
from entrypoints.http.controllers.health import HealthController
from entrypoints.http.controllers.market import MarketController
from entrypoints.http.controllers.net_worth import NetWorthController

__all__ = ["ROUTES"]

ROUTES: list[type] = [
    HealthController,
    CalcController,
    MarketController,
    BudgetController,
    GoalController,
    NetWorthController,
]
