"""Refresh tokens: stored only as hashes, single-use, grouped in families for reuse detection."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs


@attrs.frozen
class RefreshTokenRecord:
    token_hash: str = attrs.field(repr=False)
    family_id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@attrs.frozen
class RefreshFamily:
    id: str
    user_id: str
    created_at: datetime
    revoked_at: datetime | None


class RefreshTokenStore(Protocol):
    async def start_family(self, family_id: str, user_id: str, at: datetime) -> None:
        """Record a new login session (a family of rotated tokens)."""
        ...

    async def add(self, record: RefreshTokenRecord) -> None:
        """Store one token by its hash."""
        ...

    async def find(self, token_hash: str) -> RefreshTokenRecord | None: ...

    async def family(self, family_id: str) -> RefreshFamily | None: ...

    async def mark_used(self, token_hash: str, at: datetime) -> bool:
        """Claim the token: True for exactly one caller, only while it is unused."""
        ...

    async def revoke_family(self, family_id: str, at: datetime, reason: str) -> bool:
        """Revoke every token of the family; True when this call revoked it."""
        ...
