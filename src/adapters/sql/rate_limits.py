"""Rate-limit windows in the store: one row per counted hit, capped by the primary key.

Every operation is one statement: finding the next slot is a ``SELECT MAX`` (counting, a
``SELECT COUNT``, only when the slots after the highest are used up), taking a slot is an
``INSERT … ON CONFLICT DO NOTHING`` whose affected-row count says whether this caller got
it. No arithmetic update, no transaction, so it works on every store and across processes.
"""

from __future__ import annotations

from ports.sql import SqlExecutor, as_int

__all__ = ["SqlRateLimitStore"]


class SqlRateLimitStore:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def acquire(
        self, bucket: str, window_start: int, limit: int, expires_at: int
    ) -> int | None:
        # The slot after the highest taken is usually free: one index lookup, where counting
        # the window's rows grows with the limit (a generous limit holds thousands).
        highest = await self._sql.execute(
            "SELECT MAX(slot) FROM rate_limit_slots WHERE bucket = ? AND window_start = ?",
            (bucket, window_start),
        )
        top = highest.scalar()
        following = 0 if top is None else as_int(top) + 1
        if following < limit:
            result = await self._sql.execute(
                "INSERT INTO rate_limit_slots (bucket, window_start, slot, expires_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (bucket, window_start, following, expires_at),
            )
            if result.rowcount == 1:
                return following
        taken = await self._count(bucket, window_start)
        if taken >= limit:
            return None
        # Start at the count (the usual free slot) and wrap, so slots released earlier in the
        # window are found too; each conflict means another caller took that slot.
        for i in range(limit):
            slot = (taken + i) % limit
            result = await self._sql.execute(
                "INSERT INTO rate_limit_slots (bucket, window_start, slot, expires_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (bucket, window_start, slot, expires_at),
            )
            if result.rowcount == 1:
                return slot
            if i % 8 == 7 and await self._count(bucket, window_start) >= limit:
                return None  # others filled the window while we probed
        return None

    async def _count(self, bucket: str, window_start: int) -> int:
        result = await self._sql.execute(
            "SELECT COUNT(*) FROM rate_limit_slots WHERE bucket = ? AND window_start = ?",
            (bucket, window_start),
        )
        return as_int(result.scalar())

    async def release(self, bucket: str, window_start: int, slot: int) -> None:
        await self._sql.execute(
            "DELETE FROM rate_limit_slots WHERE bucket = ? AND window_start = ? AND slot = ?",
            (bucket, window_start, slot),
            idempotent=True,
        )

    async def forget_before(self, bucket: str, window_start: int) -> None:
        await self._sql.execute(
            "DELETE FROM rate_limit_slots WHERE bucket = ? AND window_start < ?",
            (bucket, window_start),
            idempotent=True,
        )

    async def purge_expired(self, now: int) -> int:
        result = await self._sql.execute(
            "DELETE FROM rate_limit_slots WHERE expires_at <= ?", (now,), idempotent=True
        )
        return result.rowcount
