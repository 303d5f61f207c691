"""Route guards: the HTTP-side second line behind the checks in the core services."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.domain.identity import Principal
from core.services.authorization import require_admin

__all__ = ["admin_only"]


async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """401 without a valid token, 403 without the ``admin`` role (before the handler runs)."""
    principal = await connection.state.dishka_container.get(Principal)
    require_admin(principal)
