"""The audit trail in the store: append-only rows, ids sortable by time."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import structlog

from ports.audit import AuditEvent
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.sql import ConstraintViolation, SqlExecutor, SqlValue

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

    async def list(
        self,
        *,
        actor_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        before_id: str | None = None,
        after_id: str | None = None,
        limit: int = 50,
        newest_first: bool = True,
    ) -> list[AuditEvent]:
        # The statement is assembled from fixed fragments only; every value is a parameter.
        where: list[str] = []
        params: list[SqlValue] = []
        for fragment, value in (
            ("actor_id = ?", actor_id),
            ("action = ?", action),
            ("at >= ?", since.astimezone(UTC).isoformat() if since else None),
            ("id < ?", before_id),
            ("id > ?", after_id),
        ):
            if value is not None:
                where.append(fragment)
                params.append(value)
        sql = "SELECT id, at, actor_id, action, target, outcome, correlation_id FROM audit_events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?" if newest_first else " ORDER BY id ASC LIMIT ?"
        params.append(limit)
        result = await self._sql.execute(sql, params)
        return [
            AuditEvent(
                id=str(row["id"]),
                at=datetime.fromisoformat(str(row["at"])),
                actor_id=None if row["actor_id"] is None else str(row["actor_id"]),
                action=str(row["action"]),
                target=None if row["target"] is None else str(row["target"]),
                outcome=str(row["outcome"]),
                correlation_id=None
                if row["correlation_id"] is None
                else str(row["correlation_id"]),
            )
            for row in result.mappings()
        ]
