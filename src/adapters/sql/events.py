"""Merchant events in the store; the derived id makes recording a repeatable step."""

from __future__ import annotations

import json

from ports.events import Event
from ports.sql import SqlExecutor

__all__ = ["SqlEventLog"]


class SqlEventLog:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def record(self, event: Event) -> bool:
        result = await self._sql.execute(
            "INSERT INTO events (id, type, merchant_id, created_at, data) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                event.id,
                event.type,
                event.merchant_id,
                event.created_at.isoformat(),
                json.dumps(dict(event.data), separators=(",", ":"), sort_keys=True),
            ),
            idempotent=True,
        )
        return result.rowcount == 1
