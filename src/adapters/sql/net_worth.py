"""Net-worth snapshots in the store: one row per snapshot, per-currency totals as JSON."""

from __future__ import annotations

import json
from datetime import date, datetime

from core.domain.net_worth import CurrencyTotal, NetWorthSnapshot, SnapshotSource
from ports.sql import SqlExecutor, SqlValue

__all__ = ["SqlNetWorthRepository"]


def _snapshot(r: dict[str, SqlValue]) -> NetWorthSnapshot:
    totals = json.loads(str(r["totals"]))
    return NetWorthSnapshot(
        id=str(r["id"]),
        user_id=str(r["user_id"]),
        as_of=date.fromisoformat(str(r["as_of"])),
        source=SnapshotSource(str(r["source"])),
        totals=tuple(
            CurrencyTotal(currency=t["currency"], assets=t["assets"], liabilities=t["liabilities"])
            for t in totals
        ),
        created_at=datetime.fromisoformat(str(r["created_at"])),
    )


class SqlNetWorthRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, snapshot: NetWorthSnapshot) -> None:
        totals = [
            {"currency": t.currency, "assets": t.assets, "liabilities": t.liabilities}
            for t in snapshot.totals
        ]
        await self._sql.execute(
            "INSERT INTO net_worth_snapshots (id, user_id, as_of, source, totals, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                snapshot.id,
                snapshot.user_id,
                snapshot.as_of.isoformat(),
                snapshot.source.value,
                json.dumps(totals, separators=(",", ":")),
                snapshot.created_at.isoformat(),
            ),
        )

    async def between(
        self, user_id: str, start: date | None, end: date | None, *, after: str | None, limit: int
    ) -> list[NetWorthSnapshot]:
        where = ["user_id = ?"]
        params: list[SqlValue] = [user_id]
        if start is not None:
            where.append("as_of >= ?")
            params.append(start.isoformat())
        if end is not None:
            where.append("as_of <= ?")
            params.append(end.isoformat())
        if after is not None:
            # Keyset pagination on (as_of, id): the cursor is the last row's pair.
            as_of, _, last_id = after.partition("|")
            where.append("(as_of > ? OR (as_of = ? AND id > ?))")
            params.extend([as_of, as_of, last_id])
        result = await self._sql.execute(
            "SELECT id, user_id, as_of, source, totals, created_at FROM net_worth_snapshots"
            f" WHERE {' AND '.join(where)} ORDER BY as_of, id LIMIT ?",
            [*params, limit],
        )
        return [_snapshot(r) for r in result.mappings()]
