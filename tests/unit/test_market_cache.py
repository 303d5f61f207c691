"""The in-process cache: TTL by the clock, single flight, failures never cached."""

from __future__ import annotations

import anyio
import pytest

from adapters.market.cache import MemoryCache
from adapters.market.tasks import AnyioTaskRunner
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


class Loader:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail
        self.release = anyio.Event()

    async def __call__(self) -> str:
        self.calls += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("provider down")
        return f"value-{self.calls}"


async def test_concurrent_misses_for_one_key_make_one_load() -> None:
    cache, load = MemoryCache(FakeClock()), Loader()
    results: list[str] = []

    async def get() -> None:
        results.append(await cache.get_or_load("k", 60, load))

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(get)
        await anyio.wait_all_tasks_blocked()
        load.release.set()
    assert load.calls == 1
    assert results == ["value-1"] * 20


async def test_values_expire_after_their_ttl() -> None:
    clock = FakeClock()
    cache, load = MemoryCache(clock), Loader()
    load.release.set()
    assert await cache.get_or_load("k", 60, load) == "value-1"
    clock.advance(59)
    assert await cache.get_or_load("k", 60, load) == "value-1"
    clock.advance(2)
    assert await cache.get_or_load("k", 60, load) == "value-2"


async def test_a_failed_load_reaches_every_waiter_and_is_not_cached() -> None:
    cache, load = MemoryCache(FakeClock()), Loader(fail=True)
    errors: list[BaseException] = []

    async def get() -> None:
        try:
            await cache.get_or_load("k", 60, load)
        except RuntimeError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(get)
        await anyio.wait_all_tasks_blocked()
        load.release.set()
    assert load.calls == 1
    assert len(errors) == 5
    load.fail = False
    assert await cache.get_or_load("k", 60, load) == "value-2"


async def test_a_cancelled_leader_hands_the_load_to_a_waiter() -> None:
    cache, load = MemoryCache(FakeClock()), Loader()
    got: list[str] = []

    async def waiter() -> None:
        got.append(await cache.get_or_load("k", 60, load))

    async with anyio.create_task_group() as outer:
        with anyio.CancelScope() as leader_scope:
            async with anyio.create_task_group() as inner:
                inner.start_soon(cache.get_or_load, "k", 60, load)
                await anyio.wait_all_tasks_blocked()
                outer.start_soon(waiter)
                await anyio.wait_all_tasks_blocked()
                leader_scope.cancel()
        await anyio.wait_all_tasks_blocked()
        load.release.set()
    assert got == ["value-2"]


async def test_least_recently_used_entries_are_evicted_beyond_the_bound() -> None:
    cache = MemoryCache(FakeClock(), max_weight=2)
    calls: list[str] = []

    async def load(key: str) -> str:
        calls.append(key)
        return key

    for key in ("a", "b", "a", "c", "a", "b"):
        await cache.get_or_load(key, 60, lambda k=key: load(k))
    assert calls == ["a", "b", "c", "b"]


async def test_bounded_fan_out_keeps_order_limits_concurrency_and_collects_failures() -> None:
    running = peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.001)
        running -= 1
        if n == 3:
            raise ValueError("three")
        return n * 10

    results = await AnyioTaskRunner().map_bounded(work, list(range(12)), 4)
    assert peak == 4
    assert [r for r in results if not isinstance(r, Exception)] == [
        n * 10 for n in range(12) if n != 3
    ]
    assert isinstance(results[3], ValueError)


async def test_long_series_weigh_their_length_against_the_bound() -> None:
    cache = MemoryCache(FakeClock(), max_weight=10)
    calls: list[str] = []

    async def load(key: str, size: int) -> tuple[int, ...]:
        calls.append(key)
        return tuple(range(size))

    await cache.get_or_load("small", 60, lambda: load("small", 3))
    await cache.get_or_load("big", 60, lambda: load("big", 8))  # 11 > 10: "small" goes
    await cache.get_or_load("big", 60, lambda: load("big", 8))
    await cache.get_or_load("small", 60, lambda: load("small", 3))
    assert calls == ["small", "big", "small"]
