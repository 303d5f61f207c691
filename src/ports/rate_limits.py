"""Rate-limit counters shared by every service process (they live in the store)."""

from __future__ import annotations

from typing import Protocol


class RateLimitStore(Protocol):
    """Fixed windows of numbered slots; a unique slot per hit bounds the count atomically."""

    async def acquire(
        self, bucket: str, window_start: int, limit: int, expires_at: int
    ) -> int | None:
        """Take one of the window's ``limit`` slots; its number, or None when all are taken."""
        ...

    async def release(self, bucket: str, window_start: int, slot: int) -> None:
        """Give a slot back (a hit that should not count, e.g. a successful login)."""
        ...

    async def forget_before(self, bucket: str, window_start: int) -> None:
        """Drop the bucket's windows older than ``window_start``."""
        ...

    async def purge_expired(self, now: int) -> int:
        """Drop every window that ended before ``now`` (epoch seconds); the rows removed."""
        ...
