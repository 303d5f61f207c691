"""Idempotency keys in the store: the reservation is one insert, the primary key decides."""

from __future__ import annotations

from ports.idempotency import KeyRecord, StoredResponse
from ports.sql import ConstraintViolation, SqlExecutor

__all__ = ["SqlIdempotencyStore"]


class SqlIdempotencyStore:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def reserve(self, record: KeyRecord, created_at: str) -> KeyRecord | None:
        try:
            result = await self._sql.execute(
                "INSERT INTO idempotency_keys (scope, fingerprint, operation_id, lease_token,"
                " locked_until, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    record.scope,
                    record.fingerprint,
                    record.operation_id,
                    record.lease_token,
                    record.locked_until,
                    created_at,
                ),
                idempotent=True,
            )
            if result.rowcount == 1:
                return None
        except ConstraintViolation:
            pass
        held = await self._get(record.scope)
        if held is None or held.lease_token == record.lease_token:
            # Our own insert landed (a retried statement), or the holder was purged meanwhile.
            return None if held is not None else await self.reserve(record, created_at)
        return held

    async def _get(self, scope: str) -> KeyRecord | None:
        result = await self._sql.execute(
            "SELECT scope, fingerprint, operation_id, lease_token, locked_until, status_code,"
            " content_type, body FROM idempotency_keys WHERE scope = ?",
            (scope,),
        )
        row = result.first()
        if row is None:
            return None
        response = None
        if row["status_code"] is not None:
            response = StoredResponse(
                status=int(row["status_code"]),
                content_type=str(row["content_type"]),
                body=str(row["body"]).encode("utf-8"),
            )
        return KeyRecord(
            scope=str(row["scope"]),
            fingerprint=str(row["fingerprint"]),
            operation_id=str(row["operation_id"]),
            lease_token=str(row["lease_token"]),
            locked_until=str(row["locked_until"]),
            response=response,
        )

    async def take_over(self, held: KeyRecord, lease_token: str, locked_until: str) -> bool:
        result = await self._sql.execute(
            "UPDATE idempotency_keys SET lease_token = ?, locked_until = ?"
            " WHERE scope = ? AND lease_token = ? AND status_code IS NULL",
            (lease_token, locked_until, held.scope, held.lease_token),
            idempotent=True,
        )
        return result.rowcount == 1

    async def complete(self, scope: str, lease_token: str, response: StoredResponse) -> bool:
        result = await self._sql.execute(
            "UPDATE idempotency_keys SET status_code = ?, content_type = ?, body = ?"
            " WHERE scope = ? AND lease_token = ? AND status_code IS NULL",
            (
                response.status,
                response.content_type,
                response.body.decode("utf-8"),
                scope,
                lease_token,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def release(self, scope: str, lease_token: str) -> None:
        await self._sql.execute(
            "DELETE FROM idempotency_keys WHERE scope = ? AND lease_token = ?"
            " AND status_code IS NULL",
            (scope, lease_token),
            idempotent=True,
        )

    async def expire(self, scope: str, lease_token: str, at: str) -> None:
        await self._sql.execute(
            "UPDATE idempotency_keys SET locked_until = ? WHERE scope = ? AND lease_token = ?"
            " AND status_code IS NULL",
            (at, scope, lease_token),
            idempotent=True,
        )

    async def purge(self, created_before: str) -> int:
        result = await self._sql.execute(
            "DELETE FROM idempotency_keys WHERE created_at < ?", (created_before,), idempotent=True
        )
        return result.rowcount
