"""Leases that let several service instances share one schedule: each tick runs once."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs


@attrs.frozen
class JobRun:
    job: str
    tick: int
    owner: str
    outcome: str
    started_at: str
    finished_at: str | None
    error: str | None


class JobLeases(Protocol):
    async def acquire(self, job: str, tick: int, *, owner: str, now: datetime) -> bool:
        """Claim one tick of one job; exactly one caller across instances gets True."""
        ...

    async def finish(
        self, job: str, tick: int, *, outcome: str, error: str | None, now: datetime
    ) -> None: ...

    async def latest(self, job: str) -> JobRun | None:
        """The most recent tick of ``job`` that some instance took."""
        ...

    async def prune(self, job: str, *, before_tick: int) -> int:
        """Forget ticks older than ``before_tick``; returns how many rows went."""
        ...
