"""Route handlers, one module per API section; ``ROUTES`` is what the app registers."""

from __future__ import annotations

from entrypoints.http.controllers.bank_webhooks import BankWebhooksController
from entrypoints.http.controllers.banking import BankingController
from entrypoints.http.controllers.health import HealthController

__all__ = ["ROUTES"]

ROUTES: list[type] = [HealthController]
ROUTES += [BankingController, BankWebhooksController]
