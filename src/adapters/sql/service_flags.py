"""``service_flags`` rows (table from migration 0001): one row per flag, last writer wins."""

from __future__ import annotations

import contextlib
from datetime import datetime

from ports.service_flags import ServiceFlag
from ports.sql import ConstraintViolation, SqlExecutor

__all__ = ["SqlServiceFlags"]


class SqlServiceFlags:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def get(self, name: str) -> ServiceFlag | None:
        result = await self._sql.execute(
            "SELECT name, value, updated_at FROM service_flags WHERE name = ?", (name,)
        )
        row = result.first()
        if row is None:
            return None
        return ServiceFlag(
            name=str(row["name"]),
            value=str(row["value"]),
            updated_at=datetime.fromisoformat(str(row["updated_at"])),
        )

    async def put(self, flag: ServiceFlag) -> None:
        # UPDATE, then INSERT when no row exists: portable to every store (no upsert syntax);
        # a concurrent first INSERT makes ours conflict, and the UPDATE after it wins.
        params = (flag.value, flag.updated_at.isoformat(), flag.name)
        update = "UPDATE service_flags SET value = ?, updated_at = ? WHERE name = ?"
        if (await self._sql.execute(update, params, idempotent=True)).rowcount:
            return
        with contextlib.suppress(ConstraintViolation):
            await self._sql.execute(
                "INSERT INTO service_flags (name, value, updated_at) VALUES (?, ?, ?)",
                (flag.name, flag.value, flag.updated_at.isoformat()),
            )
            return
        await self._sql.execute(update, params, idempotent=True)
