"""Bounded concurrency for fan-out work (batch quotes), kept out of the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

A = TypeVar("A")
B = TypeVar("B")


class TaskRunner(Protocol):
    async def map_bounded(
        self, fn: Callable[[A], Awaitable[B]], items: Sequence[A], limit: int
    ) -> list[B | Exception]:
        """``await fn(item)`` for each item, at most ``limit`` at once, results in input order.

        A call that raises yields its exception in its slot; the others still complete.
        """
        ...
