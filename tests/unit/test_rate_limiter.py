"""The core rate limiter with a hand-written in-memory store: windows, Retry-After, release."""

from __future__ import annotations

import pytest

from core.domain.errors import RateLimited
from core.domain.identity import Principal
from core.domain.rate_limits import RateLimit, RateLimitPolicy
from core.services.rate_limiting import RateLimiter, opaque_key
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


class MemoryRateLimitStore:
    def __init__(self) -> None:
        self.slots: dict[tuple[str, int], dict[int, int]] = {}

    async def acquire(self, bucket: str, window_start: int, limit: int, expires_at: int):
        taken = self.slots.setdefault((bucket, window_start), {})
        for slot in range(limit):
            if slot not in taken:
                taken[slot] = expires_at
                return slot
        return None

    async def release(self, bucket: str, window_start: int, slot: int) -> None:
        self.slots.get((bucket, window_start), {}).pop(slot, None)

    async def forget_before(self, bucket: str, window_start: int) -> None:
        for key in [k for k in self.slots if k[0] == bucket and k[1] < window_start]:
            del self.slots[key]

    async def purge_expired(self, now: int) -> int:
        removed = 0
        for taken in self.slots.values():
            for slot, expires in list(taken.items()):
                if expires <= now:
                    del taken[slot]
                    removed += 1
        return removed


def make(clock: FakeClock, store: MemoryRateLimitStore | None = None) -> RateLimiter:
    policy = RateLimitPolicy(money_writes_per_principal=RateLimit(2, 60))
    return RateLimiter(store or MemoryRateLimitStore(), clock, policy)


async def test_retry_after_is_the_time_left_in_the_window() -> None:
    clock = FakeClock()  # 12:00:00, aligned to a minute
    clock.advance(45)
    limiter = make(clock)
    await limiter.hit("k", limit=1, window=60)
    with pytest.raises(RateLimited) as info:
        await limiter.hit("k", limit=1, window=60)
    assert info.value.retry_after == 15
    clock.advance(15)
    await limiter.hit("k", limit=1, window=60)


async def test_a_released_hit_no_longer_counts() -> None:
    limiter = make(FakeClock())
    first = await limiter.hit("k", limit=1, window=60)
    await limiter.release(first)
    await limiter.hit("k", limit=1, window=60)


async def test_a_new_window_forgets_the_old_ones() -> None:
    clock = FakeClock()
    store = MemoryRateLimitStore()
    limiter = make(clock, store)
    await limiter.hit("k", limit=5, window=60)
    clock.advance(60)
    await limiter.hit("k", limit=5, window=60)
    assert len(store.slots) == 1


async def test_money_moving_writes_use_the_policy_per_principal() -> None:
    limiter = make(FakeClock())
    await limiter.money_moving_write(Principal("usr_A"))
    await limiter.money_moving_write(Principal("usr_A"))
    with pytest.raises(RateLimited):
        await limiter.money_moving_write(Principal("usr_A"))
    await limiter.money_moving_write(Principal("usr_B"))


def test_bucket_names_do_not_hold_personal_data_in_clear() -> None:
    key = opaque_key("login-account", "ada@example.com")
    assert "ada" not in key
    assert key == opaque_key("login-account", "ada@example.com")
    assert key != opaque_key("login-address", "ada@example.com")
