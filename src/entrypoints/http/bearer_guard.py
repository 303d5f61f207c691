"""A guard that authenticates before Litestar parses the body.

Handlers receive the caller through ``FromDishka[Principal]``, which dishka resolves only
after Litestar has decoded the body and the query: an anonymous request with a bad body would
get 400 and learn the validation rules before hearing 401. This guard resolves the same
request-scoped ``Principal`` first (dishka caches it for the handler), so every route that
uses it answers 401 before anything else.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.domain.identity import Principal

__all__ = ["require_principal"]


async def require_principal(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    await connection.state.dishka_container.get(Principal)
