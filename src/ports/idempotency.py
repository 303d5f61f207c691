"""Idempotency keys: one atomic reservation per (principal, method, route, key)."""

from __future__ import annotations

from typing import Protocol

import attrs


@attrs.frozen
class StoredResponse:
    status: int
    content_type: str
    body: bytes


@attrs.frozen
class KeyRecord:
    """What the store holds for a scope: in flight (``response`` None) or completed."""

    scope: str
    fingerprint: str
    operation_id: str
    lease_token: str
    locked_until: str
    response: StoredResponse | None


class IdempotencyStore(Protocol):
    async def reserve(self, record: KeyRecord, created_at: str) -> KeyRecord | None:
        """Insert ``record`` as in flight; None when this call reserved it, else the holder."""
        ...

    async def take_over(self, held: KeyRecord, lease_token: str, locked_until: str) -> bool:
        """Take an in-flight key whose lease expired; False when someone else moved first."""
        ...

    async def complete(self, scope: str, lease_token: str, response: StoredResponse) -> bool:
        """Store the response of the attempt holding the lease."""
        ...

    async def release(self, scope: str, lease_token: str) -> None:
        """Forget the reservation (the request failed validation): the key may be reused."""
        ...

    async def expire(self, scope: str, lease_token: str, at: str) -> None:
        """End the lease now (5xx): a retry takes over and resumes the same operation."""
        ...

    async def purge(self, created_before: str) -> int:
        """Delete keys created before the cut-off; returns how many."""
        ...
