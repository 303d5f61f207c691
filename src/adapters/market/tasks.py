"""Bounded fan-out on anyio: at most ``limit`` calls in flight, results in input order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

__all__ = ["AnyioTaskRunner"]

A = TypeVar("A")
B = TypeVar("B")


class AnyioTaskRunner:
    async def map_bounded(
        self, fn: Callable[[A], Awaitable[B]], items: Sequence[A], limit: int
    ) -> list[B | Exception]:
        results: list[B | Exception] = [Exception("not run")] * len(items)
        limiter = anyio.CapacityLimiter(max(1, limit))

        async def run(index: int, item: A) -> None:
            async with limiter:
                try:
                    results[index] = await fn(item)
                except Exception as exc:  # collected per slot; the caller decides
                    results[index] = exc

        async with anyio.create_task_group() as group:
            for index, item in enumerate(items):
                group.start_soon(run, index, item)
        return results
