"""Job tick leases in the store: the primary key ``<job>:<tick>`` decides who runs a tick."""

from __future__ import annotations

from datetime import UTC, datetime

from ports.jobs import JobRun
from ports.sql import ConstraintViolation, SqlExecutor

__all__ = ["SqlJobLeases"]


def _tick_id(job: str, tick: int) -> str:
    return f"{job}:{tick}"


class SqlJobLeases:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def acquire(self, job: str, tick: int, *, owner: str, now: datetime) -> bool:
        try:
            result = await self._sql.execute(
                "INSERT INTO job_ticks (id, job, tick, owner, outcome, started_at)"
                " VALUES (?, ?, ?, ?, 'running', ?) ON CONFLICT DO NOTHING",
                (_tick_id(job, tick), job, tick, owner, now.astimezone(UTC).isoformat()),
                idempotent=True,
            )
        except ConstraintViolation:
            return False
        if result.rowcount == 1:
            return True
        # A retried insert whose first try landed reads as a conflict: the tick is ours if the
        # row names this owner (owners are unique per scheduler instance).
        check = await self._sql.execute(
            "SELECT owner FROM job_ticks WHERE id = ?", (_tick_id(job, tick),)
        )
        return check.scalar() == owner

    async def finish(
        self, job: str, tick: int, *, outcome: str, error: str | None, now: datetime
    ) -> None:
        await self._sql.execute(
            "UPDATE job_ticks SET outcome = ?, error = ?, finished_at = ? WHERE id = ?",
            (outcome, error, now.astimezone(UTC).isoformat(), _tick_id(job, tick)),
            idempotent=True,
        )

    async def latest(self, job: str) -> JobRun | None:
        result = await self._sql.execute(
            "SELECT job, tick, owner, outcome, started_at, finished_at, error FROM job_ticks"
            " WHERE job = ? ORDER BY tick DESC LIMIT 1",
            (job,),
        )
        row = result.first()
        if row is None:
            return None
        return JobRun(
            job=str(row["job"]),
            tick=int(row["tick"] or 0),
            owner=str(row["owner"]),
            outcome=str(row["outcome"]),
            started_at=str(row["started_at"]),
            finished_at=None if row["finished_at"] is None else str(row["finished_at"]),
            error=None if row["error"] is None else str(row["error"]),
        )

    async def prune(self, job: str, *, before_tick: int) -> int:
        result = await self._sql.execute(
            "DELETE FROM job_ticks WHERE job = ? AND tick < ?", (job, before_tick), idempotent=True
        )
        return result.rowcount
