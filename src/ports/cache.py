"""A read-through cache with expiry and single flight (one load per key at a time)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Cache(Protocol):
    async def get_or_load(self, key: str, ttl: float, load: Callable[[], Awaitable[T]]) -> T:
        """The value cached under ``key`` if younger than ``ttl`` seconds, else ``await load()``.

        Concurrent misses for one key share a single ``load`` call; a load that raises caches
        nothing, and every waiter sees its exception.
        """
        ...
