"""Access tokens: issue and verify the short-lived bearer tokens of the API."""

from __future__ import annotations

from typing import Protocol

import attrs

from core.domain.identity import Principal


@attrs.frozen
class IssuedToken:
    token: str = attrs.field(repr=False)
    expires_in: int
    token_id: str


class AccessTokens(Protocol):
    def issue(self, principal: Principal) -> IssuedToken:
        """A signed access token for ``principal``."""
        ...

    def verify(self, token: str) -> Principal:
        """The principal a valid token names; raises ``AuthenticationFailed`` otherwise."""
        ...
