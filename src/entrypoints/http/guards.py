"""Route guards: the HTTP-side second line behind the checks in the core services."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.domain.identity import Principal
from core.services.authorization import require_admin
from core.services.rate_limiting import RateLimiter

__all__ = ["admin_only", "money_write_limit"]


async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """401 without a valid token, 403 without the ``admin`` role (before the handler runs)."""
    principal = await connection.state.dishka_container.get(Principal)
    require_admin(principal)


async def money_write_limit(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Money-moving routes: 429 with Retry-After once the caller passed
    ``FINTECH_RATE_MONEY_WRITES`` (401 without a valid token).

    Use on a handler as ``@post(..., guards=[money_write_limit])``; services can call
    ``RateLimiter.money_moving_write(principal)`` directly instead (not both).
    """
    container = connection.state.dishka_container
    principal = await container.get(Principal)
    limiter = await container.get(RateLimiter)
    await limiter.money_moving_write(principal)
