"""Rate limiting as a core service, shared by every area and every service process.

Counters live in the store (``ports.rate_limits``), so a limit holds across processes.
Windows are fixed and aligned to the epoch; each hit takes one numbered slot of its window,
so the count can never pass the limit, whatever the concurrency.

Usage from another area (e.g. payments, before a money-moving write)::

    await rate_limiter.money_moving_write(principal)            # the configured policy
    await rate_limiter.hit(f"export:{principal.user_id}", limit=5, window=3600)  # ad hoc

Both raise ``RateLimited`` (429 with ``Retry-After``) when the key is over its limit.
"""

from __future__ import annotations

import hashlib

import attrs

from core.domain.errors import RateLimited
from core.domain.identity import Principal
from core.domain.rate_limits import RateLimit, RateLimitPolicy
from ports.clock import Clock
from ports.rate_limits import RateLimitStore

__all__ = ["Hit", "RateLimiter", "opaque_key"]


@attrs.frozen
class Hit:
    """One counted hit; hand it to ``RateLimiter.release`` to un-count it."""

    bucket: str
    window_start: int
    slot: int


def opaque_key(kind: str, value: str) -> str:
    """A bucket name that does not store personal data (emails, addresses) in clear."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]
    return f"{kind}:{digest}"


class RateLimiter:
    def __init__(self, store: RateLimitStore, clock: Clock, policy: RateLimitPolicy) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy

    async def hit(self, key: str, limit: int, window: int) -> Hit:
        """Count one hit on ``key``; raise ``RateLimited`` (with ``retry_after``) when over."""
        rule = RateLimit(limit, window)
        now = int(self._clock.now().timestamp())
        start = now - now % rule.window_seconds
        end = start + rule.window_seconds
        slot = await self._store.acquire(key, start, rule.limit, end)
        if slot is None:
            raise RateLimited("Too many requests; retry later", retry_after=end - now)
        if slot == 0:
            # The first hit of a window tidies the bucket's older windows.
            await self._store.forget_before(key, start)
        return Hit(key, start, slot)

    async def hit_rule(self, key: str, rule: RateLimit) -> Hit:
        return await self.hit(key, rule.limit, rule.window_seconds)

    async def release(self, hit: Hit) -> None:
        """Un-count a hit (e.g. a login attempt that succeeded)."""
        await self._store.release(hit.bucket, hit.window_start, hit.slot)

    async def money_moving_write(self, principal: Principal) -> Hit:
        """The per-principal limit on money-moving writes (``FINTECH_RATE_MONEY_WRITES``)."""
        return await self.hit_rule(
            f"money-write:{principal.user_id}", self.policy.money_writes_per_principal
        )

    async def purge_expired(self) -> int:
        """Remove ended windows (maintenance); the number of rows removed."""
        return await self._store.purge_expired(int(self._clock.now().timestamp()))
