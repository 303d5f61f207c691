"""Route handlers, one module per API section; ``ROUTES`` is what the app registers."""

from __future__ import annotations

from entrypoints.http.controllers.health import HealthController
from entrypoints.http.controllers.webhooks import EventsController, WebhookEndpointsController

__all__ = ["ROUTES"]

ROUTES: list[type] = [HealthController]
ROUTES += [EventsController, WebhookEndpointsController]
