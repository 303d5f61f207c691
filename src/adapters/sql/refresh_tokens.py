"""Refresh tokens by hash and their families; single statements, conditional updates."""

from __future__ import annotations

import contextlib
from datetime import datetime

from ports.refresh_tokens import RefreshFamily, RefreshTokenRecord
from ports.sql import ConstraintViolation, SqlExecutor, SqlValue

__all__ = ["SqlRefreshTokenStore"]


def _time(value: SqlValue) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _at(value: SqlValue) -> datetime:
    return datetime.fromisoformat(str(value))


class SqlRefreshTokenStore:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def start_family(self, family_id: str, user_id: str, at: datetime) -> None:
        with contextlib.suppress(ConstraintViolation):  # a retried insert that landed
            await self._sql.execute(
                "INSERT INTO refresh_families (id, user_id, created_at) VALUES (?, ?, ?)",
                (family_id, user_id, at.isoformat()),
                idempotent=True,
            )

    async def add(self, record: RefreshTokenRecord) -> None:
        with contextlib.suppress(ConstraintViolation):
            await self._sql.execute(
                "INSERT INTO refresh_tokens"
                " (token_hash, family_id, user_id, created_at, expires_at, used_at)"
                " VALUES (?, ?, ?, ?, ?, NULL)",
                (
                    record.token_hash,
                    record.family_id,
                    record.user_id,
                    record.created_at.isoformat(),
                    record.expires_at.isoformat(),
                ),
                idempotent=True,
            )

    async def find(self, token_hash: str) -> RefreshTokenRecord | None:
        row = (
            await self._sql.execute(
                "SELECT token_hash, family_id, user_id, created_at, expires_at, used_at"
                " FROM refresh_tokens WHERE token_hash = ?",
                (token_hash,),
            )
        ).first()
        if row is None:
            return None
        return RefreshTokenRecord(
            token_hash=str(row["token_hash"]),
            family_id=str(row["family_id"]),
            user_id=str(row["user_id"]),
            created_at=_at(row["created_at"]),
            expires_at=_at(row["expires_at"]),
            used_at=_time(row["used_at"]),
        )

    async def family(self, family_id: str) -> RefreshFamily | None:
        row = (
            await self._sql.execute(
                "SELECT id, user_id, created_at, revoked_at FROM refresh_families WHERE id = ?",
                (family_id,),
            )
        ).first()
        if row is None:
            return None
        return RefreshFamily(
            id=str(row["id"]),
            user_id=str(row["user_id"]),
            created_at=_at(row["created_at"]),
            revoked_at=_time(row["revoked_at"]),
        )

    async def mark_used(self, token_hash: str, at: datetime) -> bool:
        # Not idempotent: a blind retry after an unknown outcome could report our own win as
        # a loss, which the service treats as reuse (fail closed).
        result = await self._sql.execute(
            "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            (at.isoformat(), token_hash),
        )
        return result.rowcount == 1

    async def revoke_family(self, family_id: str, at: datetime, reason: str) -> bool:
        result = await self._sql.execute(
            "UPDATE refresh_families SET revoked_at = ?, revoked_reason = ?"
            " WHERE id = ? AND revoked_at IS NULL",
            (at.isoformat(), reason, family_id),
            idempotent=True,
        )
        return result.rowcount == 1
