"""In-process TTL cache with single flight, for provider reads (quotes, history, search)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

from ports.clock import Clock

__all__ = ["MemoryCache"]

T = TypeVar("T")


class _Flight:
    """One load in progress: waiters block on ``done`` and read its outcome."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.value: Any = None
        self.error: Exception | None = None
        self.cancelled = False


class MemoryCache:
    """Values expire by the clock's monotonic time; least recently used go first once the
    total weight passes ``max_weight`` (a tuple or list weighs its length, anything else 1:
    a full daily series of a few thousand bars weighs what a few thousand quotes do).

    Per process: several workers each keep their own copy, which for provider rate limits
    means at most one call per key per worker per TTL.
    """

    def __init__(self, clock: Clock, max_weight: int = 250_000) -> None:
        self._clock = clock
        self._max = max_weight
        self._weight = 0
        self._values: OrderedDict[str, tuple[float, Any, int]] = OrderedDict()
        self._flights: dict[str, _Flight] = {}

    async def get_or_load(self, key: str, ttl: float, load: Callable[[], Awaitable[T]]) -> T:
        while True:
            hit = self._values.get(key)
            if hit is not None and hit[0] > self._clock.monotonic():
                self._values.move_to_end(key)
                return hit[1]  # type: ignore[no-any-return]
            flight = self._flights.get(key)
            if flight is None:
                return await self._lead(key, ttl, load)
            await flight.done.wait()
            if flight.cancelled:
                continue  # the leader was cancelled: the next waiter leads a new load
            if flight.error is not None:
                raise flight.error
            return flight.value  # type: ignore[no-any-return]

    async def _lead(self, key: str, ttl: float, load: Callable[[], Awaitable[T]]) -> T:
        flight = self._flights[key] = _Flight()
        try:
            value = await load()
        except Exception as exc:
            flight.error = exc
            raise
        except BaseException:
            flight.cancelled = True
            raise
        else:
            flight.value = value
            self._store(key, value, self._clock.monotonic() + ttl)
            return value
        finally:
            del self._flights[key]
            flight.done.set()

    def _store(self, key: str, value: Any, expires: float) -> None:
        weight = len(value) if isinstance(value, tuple | list) else 1
        old = self._values.pop(key, None)
        if old is not None:
            self._weight -= old[2]
        self._values[key] = (expires, value, weight)
        self._weight += weight
        while self._weight > self._max and len(self._values) > 1:
            _, (_, _, dropped) = self._values.popitem(last=False)
            self._weight -= dropped
