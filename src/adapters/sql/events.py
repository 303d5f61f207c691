"""Merchant events in the store; the derived id makes recording a repeatable step."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ports.events import Event
from ports.sql import SqlExecutor, SqlValue

__all__ = ["SqlEventLog"]


class SqlEventLog:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def record(self, event: Event) -> bool:
        return await self.record_many((event,)) == 1

    async def record_many(self, events: Sequence[Event]) -> int:
        # One multi-row insert: atomic on every store, and one statement instead of several.
        if not events:
            return 0
        params: list[SqlValue] = []
        for event in events:
            params += (
                event.id,
                event.type,
                event.merchant_id,
                event.created_at.isoformat(),
                json.dumps(dict(event.data), separators=(",", ":"), sort_keys=True),
            )
        values = ", ".join(["(?, ?, ?, ?, ?)"] * len(events))
        result = await self._sql.execute(
            "INSERT INTO events (id, type, merchant_id, created_at, data) VALUES "
            + values
            + " ON CONFLICT DO NOTHING",
            params,
            idempotent=True,
        )
        return result.rowcount
