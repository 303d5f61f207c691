"""A generic scheduler: a job is a name, an interval and an async callable on the container.

Time is cut into ticks (``floor(unix time / interval)``). An *exclusive* job runs each tick on
one instance only: before running, the instance inserts the row ``<job>:<tick>`` and only the
instance whose insert landed runs it (the store's primary key decides). A *shared* job (the
webhook dispatcher, whose every attempt is claimed row by row) runs on every instance. A job
that raises is logged with its error and simply runs again on its next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import anyio
import attrs
import structlog
from dishka import AsyncContainer

from ports.clock import Clock
from ports.jobs import JobLeases

__all__ = ["Job", "JobCallable", "Scheduler", "call"]

log = structlog.get_logger("fintech.jobs")

JobCallable = Callable[[AsyncContainer], Awaitable[object]]
_KEEP_TICKS = 10_000  # lease rows kept per job (a week of one-minute ticks)


def call(service: type[Any], method: str, *args: Any) -> JobCallable:
    """A job body that resolves ``service`` from the container and awaits ``method(*args)``."""

    async def run(container: AsyncContainer) -> object:
        target = await container.get(service)
        return await getattr(target, method)(*args)

    run.__qualname__ = f"{service.__name__}.{method}"
    return run


@attrs.frozen
class Job:
    name: str
    interval: float  # seconds between ticks; 0 (or less) disables the job
    run: JobCallable
    exclusive: bool = True

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    def tick_at(self, unix_seconds: float) -> int:
        return math.floor(unix_seconds / self.interval)


@attrs.frozen
class TickResult:
    job: str
    tick: int
    outcome: str  # "succeeded", "failed" or "skipped" (another instance has the tick)
    error: str | None = None


class Scheduler:
    def __init__(
        self,
        container: AsyncContainer,
        jobs: Sequence[Job],
        *,
        clock: Clock,
        leases: JobLeases,
        owner: str,
        ready_poll_seconds: float = 5.0,
    ) -> None:
        self._container = container
        self._ready_poll = ready_poll_seconds
        self._jobs = [job for job in jobs if job.enabled]
        self._clock = clock
        self._leases = leases
        self._owner = owner
        self._last_tick: dict[str, int] = {}
        self._stopping = anyio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def jobs(self) -> list[Job]:
        return list(self._jobs)

    async def run_pending(self) -> list[TickResult]:
        """Run, one after the other, every job whose current tick this instance has not seen."""
        results = []
        for job in self._jobs:
            result = await self._run_tick(job)
            if result is not None:
                results.append(result)
        return results

    async def _run_tick(self, job: Job) -> TickResult | None:
        tick = job.tick_at(self._clock.now().timestamp())
        if self._last_tick.get(job.name) == tick:
            return None
        self._last_tick[job.name] = tick
        if job.exclusive:
            won = await self._leases.acquire(
                job.name, tick, owner=self._owner, now=self._clock.now()
            )
            if not won:
                return TickResult(job.name, tick, "skipped")
        outcome, error = "succeeded", None
        try:
            await job.run(self._container)
        except Exception as exc:  # a failing job must not stop the others or the loop
            outcome, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
            log.error("job_failed", job=job.name, tick=tick, error=error, exc_info=exc)
        if job.exclusive:
            with contextlib.suppress(Exception):
                await self._leases.finish(
                    job.name, tick, outcome=outcome, error=error, now=self._clock.now()
                )
                if tick % 100 == 0:
                    await self._leases.prune(job.name, before_tick=tick - _KEEP_TICKS)
        return TickResult(job.name, tick, outcome, error)

    async def _loop(self, job: Job) -> None:
        while not self._stopping.is_set():
            try:
                await self._run_tick(job)
            except Exception as exc:  # the store was down while taking the lease: next tick
                log.warning("job_tick_skipped", job=job.name, error=type(exc).__name__)
            now = self._clock.now().timestamp()
            wait = (job.tick_at(now) + 1) * job.interval - now
            with anyio.move_on_after(max(wait, 0.01)):
                await self._stopping.wait()

    async def run_forever(self, ready: Callable[[], Awaitable[bool]] | None = None) -> None:
        """Each enabled job on its own loop, until ``stop``; first waits until ``ready()``."""
        waiting = False
        while ready is not None and not self._stopping.is_set():
            try:
                if await ready():
                    break
            except Exception as exc:
                log.warning("jobs_not_ready", error=type(exc).__name__)
            if not waiting:
                log.warning("jobs_waiting", reason="the store is not ready (pending migrations?)")
                waiting = True
            with anyio.move_on_after(self._ready_poll):
                await self._stopping.wait()
        async with anyio.create_task_group() as group:
            for job in self._jobs:
                group.start_soon(self._loop, job)

    def start(self, ready: Callable[[], Awaitable[bool]] | None = None) -> None:
        """Run in the background of the current event loop (the service's lifespan)."""
        if self._task is None and self._jobs:
            self._task = asyncio.create_task(self.run_forever(ready), name="fintech-scheduler")
            log.info("jobs_started", jobs=[j.name for j in self._jobs], owner=self._owner)

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Let running jobs finish (up to the grace period), then cancel what is left."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=grace_seconds)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        log.info("jobs_stopped")
