"""Reads of the ``events`` table: the merchant's feed and the dispatcher's fan-out scan.

Ordering is by ``(created_at, id)``: event ids are derived from the state change, not from
time, so the id alone says nothing about order. ``created_at`` is compared as the stored
RFC 3339 text (every writer stores UTC ``isoformat()``, which sorts like the instant).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from ports.events import Event
from ports.sql import SqlExecutor, SqlValue
from ports.webhooks import ListedEvent, Position

__all__ = ["SqlEventFeed"]

_COLUMNS = "id, type, merchant_id, created_at, data"


def _listed(row: Sequence[SqlValue]) -> ListedEvent:
    event_id, event_type, merchant_id, created_at, data = (str(v) for v in row)
    event = Event(
        id=event_id,
        type=event_type,
        merchant_id=merchant_id,
        created_at=datetime.fromisoformat(created_at).astimezone(UTC),
        data=json.loads(data),
    )
    return ListedEvent(event=event, position=Position(created_at=created_at, id=event_id))


class SqlEventFeed:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def newest_first(
        self,
        merchant_id: str,
        *,
        event_type: str | None,
        before: Position | None,
        limit: int,
    ) -> list[ListedEvent]:
        where = ["merchant_id = ?"]
        params: list[SqlValue] = [merchant_id]
        if event_type is not None:
            where.append("type = ?")
            params.append(event_type)
        if before is not None:
            where.append("(created_at < ? OR (created_at = ? AND id < ?))")
            params += [before.created_at, before.created_at, before.id]
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM events WHERE {' AND '.join(where)}"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, limit),
        )
        return [_listed(row) for row in result.rows]

    async def oldest_first(
        self,
        merchant_id: str,
        *,
        types: Sequence[str] | None,
        since: datetime,
        after: Position | None,
        limit: int,
    ) -> list[ListedEvent]:
        where = ["merchant_id = ?", "created_at >= ?"]
        params: list[SqlValue] = [merchant_id, since.astimezone(UTC).isoformat()]
        if types is not None:
            if not types:
                return []
            where.append(f"type IN ({', '.join('?' for _ in types)})")
            params += list(types)
        if after is not None:
            where.append("(created_at > ? OR (created_at = ? AND id > ?))")
            params += [after.created_at, after.created_at, after.id]
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM events WHERE {' AND '.join(where)}"
            " ORDER BY created_at, id LIMIT ?",
            (*params, limit),
        )
        return [_listed(row) for row in result.rows]

    async def get(self, event_id: str) -> Event | None:
        result = await self._sql.execute(f"SELECT {_COLUMNS} FROM events WHERE id = ?", (event_id,))
        return _listed(result.rows[0]).event if result.rows else None
