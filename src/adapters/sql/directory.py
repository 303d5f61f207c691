"""Users by email and merchant memberships, in the store."""

from __future__ import annotations

from core.domain.identity import MerchantRole
from core.domain.users import normalise_email
from ports.clock import Clock
from ports.directory import Membership
from ports.sql import ConstraintViolation, SqlExecutor

__all__ = ["SqlMemberships", "SqlUserDirectory", "normalise_email"]


class SqlUserDirectory:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def id_for_email(self, email: str) -> str | None:
        result = await self._sql.execute(
            "SELECT id FROM users WHERE email = ?", (normalise_email(email),)
        )
        value = result.scalar()
        return str(value) if value is not None else None


class SqlMemberships:
    def __init__(self, executor: SqlExecutor, clock: Clock) -> None:
        self._sql = executor
        self._clock = clock

    async def add(self, merchant_id: str, user_id: str, role: MerchantRole) -> bool:
        try:
            result = await self._sql.execute(
                "INSERT INTO merchant_members (merchant_id, user_id, role, created_at)"
                " VALUES (?, ?, ?, ?)",
                (merchant_id, user_id, role.value, self._clock.now().isoformat()),
                idempotent=True,
            )
        except ConstraintViolation:
            return False
        return result.rowcount == 1

    async def role_of(self, merchant_id: str, user_id: str) -> MerchantRole | None:
        result = await self._sql.execute(
            "SELECT role FROM merchant_members WHERE merchant_id = ? AND user_id = ?",
            (merchant_id, user_id),
        )
        value = result.scalar()
        return MerchantRole(str(value)) if value is not None else None

    async def for_user(self, user_id: str) -> list[Membership]:
        result = await self._sql.execute(
            "SELECT merchant_id, user_id, role FROM merchant_members WHERE user_id = ?"
            " ORDER BY created_at, merchant_id",
            (user_id,),
        )
        return [Membership(str(m), str(u), MerchantRole(str(r))) for m, u, r in result.rows]

    async def for_merchant(self, merchant_id: str) -> list[Membership]:
        result = await self._sql.execute(
            "SELECT merchant_id, user_id, role FROM merchant_members WHERE merchant_id = ?"
            " ORDER BY created_at, user_id",
            (merchant_id,),
        )
        return [Membership(str(m), str(u), MerchantRole(str(r))) for m, u, r in result.rows]
