"""Mint access tokens for tests exactly as the service does (same key, issuer, audience)."""

from __future__ import annotations

from collections.abc import Iterable

from adapters.security.tokens import JwtAccessTokens
from core.domain.identity import Principal
from entrypoints.settings import Settings
from ports.clock import Clock
from tests.fakes import FakeClock


def tokens_for(settings: Settings, clock: Clock | None = None) -> JwtAccessTokens:
    return JwtAccessTokens(
        key=settings.secret_key,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.access_token_ttl,
        clock=clock or FakeClock(),
    )


def auth_headers(
    settings: Settings,
    user_id: str = "usr_00000000000000000000000001",
    roles: Iterable[str] = ("user",),
    clock: Clock | None = None,
) -> dict[str, str]:
    """``Authorization`` header for a principal; ``clock`` must match the app's (default fake)."""
    principal = Principal(user_id=user_id, roles=frozenset(roles))
    token = tokens_for(settings, clock).issue(principal).token
    return {"Authorization": f"Bearer {token}"}
