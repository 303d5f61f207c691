"""Route handlers, one module per API section; ``ROUTES`` is what the app registers."""

from __future__ import annotations

from entrypoints.http.controllers.health import HealthController
from entrypoints.http.controllers.merchants import MerchantController
from entrypoints.http.controllers.payments import PaymentController
from entrypoints.http.controllers.settlements import SettlementController

__all__ = ["ROUTES"]

ROUTES: list[type] = [HealthController]
ROUTES.extend([MerchantController, PaymentController, SettlementController])
