"""The users table (identity owns it): accounts, password hashes, platform roles."""

from __future__ import annotations

from datetime import datetime

from core.domain.users import User, parse_roles, serialise_roles
from ports.sql import ConstraintViolation, SqlExecutor, SqlValue
from ports.users import UserCredentials

__all__ = ["SqlUserRepository"]

_COLUMNS = "id, email, name, roles, created_at, updated_at"


def _user(row: dict[str, SqlValue]) -> User:
    return User(
        id=str(row["id"]),
        email=str(row["email"]),
        name=None if row["name"] is None else str(row["name"]),
        roles=parse_roles(str(row["roles"])),
        created_at=datetime.fromisoformat(str(row["created_at"])),
        updated_at=datetime.fromisoformat(str(row["updated_at"])),
    )


class SqlUserRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, user: User, password_hash: str) -> bool:
        try:
            result = await self._sql.execute(
                "INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    user.id,
                    user.email,
                    user.name,
                    password_hash,
                    serialise_roles(user.roles),
                    user.created_at.isoformat(),
                    user.updated_at.isoformat(),
                ),
            )
        except ConstraintViolation:
            return False
        return result.rowcount == 1

    async def get(self, user_id: str) -> User | None:
        row = (
            await self._sql.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
        ).first()
        return _user(row) if row else None

    async def credentials_for_email(self, email: str) -> UserCredentials | None:
        row = (
            await self._sql.execute(
                f"SELECT {_COLUMNS}, password_hash FROM users WHERE email = ?", (email,)
            )
        ).first()
        if row is None:
            return None
        return UserCredentials(user=_user(row), password_hash=str(row["password_hash"]))

    async def page(self, *, after_id: str | None, limit: int) -> list[User]:
        if after_id is None:
            result = await self._sql.execute(
                f"SELECT {_COLUMNS} FROM users ORDER BY id LIMIT ?", (limit,)
            )
        else:
            result = await self._sql.execute(
                f"SELECT {_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
            )
        return [_user(row) for row in result.mappings()]

    async def set_roles(self, user_id: str, roles: frozenset[str], at: datetime) -> bool:
        result = await self._sql.execute(
            "UPDATE users SET roles = ?, updated_at = ? WHERE id = ?",
            (serialise_roles(roles), at.isoformat(), user_id),
            idempotent=True,
        )
        return result.rowcount == 1

    async def set_password_hash(
        self, user_id: str, old_hash: str, new_hash: str, at: datetime
    ) -> bool:
        result = await self._sql.execute(
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?",
            (new_hash, at.isoformat(), user_id, old_hash),
            idempotent=True,
        )
        return result.rowcount == 1
