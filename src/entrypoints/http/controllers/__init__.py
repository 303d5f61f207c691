"""Route handlers, one module per API section; ``ROUTES`` is what the app registers."""

from __future__ import annotations

from entrypoints.http.controllers.calc import CalcController
from entrypoints.http.controllers.health import HealthController
from entrypoints.http.controllers.market import MarketController

__all__ = ["ROUTES"]

ROUTES: list[type] = [
    HealthController,
    CalcController,
    MarketController,
]
