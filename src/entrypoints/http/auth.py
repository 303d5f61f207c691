"""The authenticated caller of an HTTP request, provided per request by dishka."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from litestar import Request

from core.domain.errors import AuthenticationFailed
from core.domain.identity import Principal
from ports.security import AccessTokens

__all__ = ["HttpAuthProvider", "bearer_token"]


def bearer_token(request: Request) -> str:  # type: ignore[type-arg]
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("A bearer access token is required", code="unauthenticated")
    return token.strip()


class HttpAuthProvider(Provider):
    """``Principal`` for handlers that declare ``FromDishka[Principal]``: 401 when absent."""

    @provide(scope=Scope.REQUEST)
    def principal(self, request: Request, tokens: AccessTokens) -> Principal:  # type: ignore[type-arg]
        principal = tokens.verify(bearer_token(request))
        request.scope.setdefault("state", {})["principal_id"] = principal.user_id  # type: ignore[typeddict-item]
        return principal
