"""Merchants in the store."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.identity import MerchantRole
from core.domain.merchants import Merchant
from ports.sql import SqlExecutor, SqlValue

__all__ = ["SqlMerchantRepository"]

_COLUMNS = "id, name, default_currency, currencies, status, created_at"


def _merchant(row: Sequence[SqlValue]) -> Merchant:
    return Merchant(
        id=str(row[0]),
        name=str(row[1]),
        default_currency=str(row[2]),
        currencies=tuple(str(row[3]).split(",")),
        status=str(row[4]),
        created_at=str(row[5]),
    )


class SqlMerchantRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, merchant: Merchant) -> None:
        await self._sql.execute(
            f"INSERT INTO merchants ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                merchant.id,
                merchant.name,
                merchant.default_currency,
                ",".join(merchant.currencies),
                merchant.status,
                merchant.created_at,
            ),
            idempotent=True,
        )

    async def get(self, merchant_id: str) -> Merchant | None:
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM merchants WHERE id = ?", (merchant_id,)
        )
        return _merchant(result.rows[0]) if result.rows else None

    async def get_with_role(
        self, merchant_id: str, user_id: str
    ) -> tuple[Merchant, MerchantRole | None] | None:
        result = await self._sql.execute(
            "SELECT m.id, m.name, m.default_currency, m.currencies, m.status, m.created_at,"
            " mm.role FROM merchants m LEFT JOIN merchant_members mm"
            " ON mm.merchant_id = m.id AND mm.user_id = ? WHERE m.id = ?",
            (user_id, merchant_id),
        )
        if not result.rows:
            return None
        row = result.rows[0]
        return _merchant(row), MerchantRole(str(row[6])) if row[6] is not None else None

    async def page(
        self, *, ids: Sequence[str] | None, limit: int, after: str | None
    ) -> list[Merchant]:
        clauses: list[str] = []
        params: list[SqlValue] = []
        if ids is not None:
            if not ids:
                return []
            clauses.append(f"id IN ({', '.join('?' for _ in ids)})")
            params.extend(ids)
        if after is not None:
            clauses.append("id > ?")
            params.append(after)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM merchants{where} ORDER BY id LIMIT ?", (*params, limit)
        )
        return [_merchant(row) for row in result.rows]
