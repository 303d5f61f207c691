"""Settlements in the store: the workflow stage moves forward by conditional updates."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.settlements import (
    Settlement,
    SettlementStage,
    SettlementStatus,
)
from ports.sql import SqlExecutor, SqlValue, as_int

__all__ = ["SqlSettlementRepository"]

_S = (
    "id, merchant_id, currency, amount, status, stage, payment_count, created_at, updated_at,"
    " paid_at"
)
_HIDDEN = SettlementStage.CANCELLED.value


def _settlement(row: Sequence[SqlValue]) -> Settlement:
    return Settlement(
        id=str(row[0]),
        merchant_id=str(row[1]),
        currency=str(row[2]),
        amount=as_int(row[3]),
        status=SettlementStatus(str(row[4])),
        stage=SettlementStage(str(row[5])),
        payment_count=as_int(row[6]),
        created_at=str(row[7]),
        updated_at=str(row[8]),
        paid_at=None if row[9] is None else str(row[9]),
    )


class SqlSettlementRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def insert(self, settlement: Settlement) -> bool:
        s = settlement
        result = await self._sql.execute(
            f"INSERT INTO settlements ({_S}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                s.id,
                s.merchant_id,
                s.currency,
                s.amount,
                s.status.value,
                s.stage.value,
                s.payment_count,
                s.created_at,
                s.updated_at,
                s.paid_at,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def get(self, settlement_id: str) -> Settlement | None:
        result = await self._sql.execute(
            f"SELECT {_S} FROM settlements WHERE id = ?", (settlement_id,)
        )
        return _settlement(result.rows[0]) if result.rows else None

    async def page(self, merchant_id: str, *, limit: int, before: str | None) -> list[Settlement]:
        sql = f"SELECT {_S} FROM settlements WHERE merchant_id = ? AND stage != ?"
        params: list[SqlValue] = [merchant_id, _HIDDEN]
        if before is not None:
            sql += " AND id < ?"
            params.append(before)
        result = await self._sql.execute(f"{sql} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_settlement(row) for row in result.rows]

    async def fix_amount(self, settlement_id: str, at: str) -> bool:
        # The claim's net, summed in the statement that closes it: nothing joins afterwards.
        net = (
            "COALESCE((SELECT CAST(SUM(CASE WHEN t.credit_account LIKE 'merchant:%:available'"
            " THEN t.amount ELSE -t.amount END) AS BIGINT) FROM ledger_transfers t"
            " WHERE t.settlement_id = ? AND t.kind NOT IN ('settlement', 'payout')), 0)"
        )
        result = await self._sql.execute(
            f"UPDATE settlements SET amount = {net},"
            " payment_count = (SELECT COUNT(DISTINCT t.payment_id) FROM ledger_transfers t"
            "  WHERE t.settlement_id = ? AND t.kind NOT IN ('settlement', 'payout')),"
            f" stage = CASE WHEN {net} > 0 THEN 'claimed' ELSE 'cancelled' END,"
            " updated_at = ? WHERE id = ? AND stage = 'claiming'",
            (settlement_id, settlement_id, settlement_id, at, settlement_id),
            idempotent=True,
        )
        return result.rowcount == 1

    async def advance(
        self,
        settlement_id: str,
        *,
        from_stage: SettlementStage,
        to_stage: SettlementStage,
        at: str,
        status: SettlementStatus | None = None,
        paid_at: str | None = None,
    ) -> bool:
        result = await self._sql.execute(
            "UPDATE settlements SET stage = ?, updated_at = ?, status = COALESCE(?, status),"
            " paid_at = COALESCE(?, paid_at) WHERE id = ? AND stage = ?",
            (
                to_stage.value,
                at,
                None if status is None else status.value,
                paid_at,
                settlement_id,
                from_stage.value,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def incomplete(self, before: str, limit: int) -> list[Settlement]:
        result = await self._sql.execute(
            f"SELECT {_S} FROM settlements WHERE stage NOT IN ('done', 'cancelled')"
            " AND updated_at < ? ORDER BY updated_at LIMIT ?",
            (before, limit),
        )
        return [_settlement(row) for row in result.rows]

    async def missing_events(self, limit: int) -> list[Settlement]:
        aliased = ", ".join(f"s.{c.strip()}" for c in _S.split(","))
        result = await self._sql.execute(
            f"SELECT {aliased} FROM settlements s WHERE s.status IN ('paid', 'failed')"
            " AND s.stage = 'done' AND NOT EXISTS"
            " (SELECT 1 FROM events e WHERE e.id = 'evt_' || s.id || '_' || s.status) LIMIT ?",
            (limit,),
        )
        return [_settlement(row) for row in result.rows]

    async def merchants_with_unsettled(self) -> list[tuple[str, str]]:
        result = await self._sql.execute(
            "SELECT DISTINCT merchant_id, currency FROM ledger_transfers"
            " WHERE settlement_id IS NULL ORDER BY merchant_id, currency"
        )
        return [(str(m), str(c)) for m, c in result.rows]
