"""The audit trail in the store: append-only rows, ids sortable by time."""

from __future__ import annotations

import contextlib

import structlog

from ports.audit import AuditEvent
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.sql import ConstraintViolation, SqlExecutor

__all__ = ["SqlAuditLog"]


class SqlAuditLog:
    def __init__(self, executor: SqlExecutor, clock: Clock, ids: IdGenerator) -> None:
        self._sql = executor
        self._clock = clock
        self._ids = ids

    async def record(
        self,
        *,
        actor_id: str | None,
        action: str,
        target: str | None = None,
        outcome: str = "success",
    ) -> AuditEvent:
        correlation = structlog.contextvars.get_contextvars().get("request_id")
        event = AuditEvent(
            id=self._ids.new("aud"),
            at=self._clock.now(),
            actor_id=actor_id,
            action=action,
            target=target,
            outcome=outcome,
            correlation_id=correlation,
        )
        # A retried insert whose first attempt landed hits the primary key: already recorded.
        with contextlib.suppress(ConstraintViolation):
            await self._sql.execute(
                "INSERT INTO audit_events"
                " (id, at, actor_id, action, target, outcome, correlation_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    event.id,
                    event.at.isoformat(),
                    event.actor_id,
                    event.action,
                    event.target,
                    event.outcome,
                    event.correlation_id,
                ),
                idempotent=True,
            )
        return event
