"""The ledger in the store: one row per transfer, balances are sums, claims are one UPDATE."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.ledger import Transfer, TransferKind, available_account, pending_account
from ports.payments import Balance
from ports.sql import SqlExecutor, SqlValue, as_int

__all__ = ["SqlLedgerRepository"]

_T = (
    "id, debit_account, credit_account, amount, currency, kind, merchant_id, payment_id,"
    " refund_id, settlement_id, posted_at"
)


def _opt(value: SqlValue) -> str | None:
    return None if value is None else str(value)


def _transfer(row: Sequence[SqlValue]) -> Transfer:
    return Transfer(
        id=str(row[0]),
        debit_account=str(row[1]),
        credit_account=str(row[2]),
        amount=as_int(row[3]),
        currency=str(row[4]),
        kind=TransferKind(str(row[5])),
        merchant_id=str(row[6]),
        payment_id=_opt(row[7]),
        refund_id=_opt(row[8]),
        settlement_id=_opt(row[9]),
        posted_at=str(row[10]),
    )


def _int(value: SqlValue) -> int:
    # SUM over BIGINT is NUMERIC on PostgreSQL and NULL over no rows everywhere.
    return 0 if value is None else int(value)


class SqlLedgerRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def post(self, transfers: Sequence[Transfer]) -> None:
        if not transfers:
            return
        values = ", ".join("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" for _ in transfers)
        params: list[SqlValue] = []
        for t in transfers:
            params.extend(
                (
                    t.id,
                    t.debit_account,
                    t.credit_account,
                    t.amount,
                    t.currency,
                    t.kind.value,
                    t.merchant_id,
                    t.payment_id,
                    t.refund_id,
                    t.settlement_id,
                    t.posted_at,
                )
            )
        await self._sql.execute(
            f"INSERT INTO ledger_transfers ({_T}) VALUES {values} ON CONFLICT DO NOTHING",
            params,
            idempotent=True,
        )

    async def balances(self, merchant_id: str) -> list[Balance]:
        available, pending = available_account(merchant_id), pending_account(merchant_id)
        result = await self._sql.execute(
            # Every selected expression is aliased: the SQL-over-HTTP store keys rows by name.
            "SELECT currency,"
            " CAST(SUM(CASE WHEN credit_account = ? THEN amount"
            "  WHEN debit_account = ? THEN -amount ELSE 0 END) AS BIGINT) AS available,"
            " CAST(SUM(CASE WHEN credit_account = ? THEN amount"
            "  WHEN debit_account = ? THEN -amount ELSE 0 END) AS BIGINT) AS pending,"
            " CAST(SUM(CASE WHEN kind = 'payout' THEN amount ELSE 0 END) AS BIGINT) AS settled"
            " FROM ledger_transfers WHERE merchant_id = ? GROUP BY currency ORDER BY currency",
            (available, available, pending, pending, merchant_id),
        )
        return [
            Balance(currency=str(c), available=_int(a), pending=_int(p), settled=_int(s))
            for c, a, p, s in result.rows
        ]

    async def list_for_merchant(
        self, merchant_id: str, *, limit: int, before: tuple[str, str] | None
    ) -> list[Transfer]:
        sql = f"SELECT {_T} FROM ledger_transfers WHERE merchant_id = ?"
        params: list[SqlValue] = [merchant_id]
        if before is not None:
            sql += " AND (posted_at < ? OR (posted_at = ? AND id < ?))"
            params.extend((before[0], before[0], before[1]))
        result = await self._sql.execute(
            f"{sql} ORDER BY posted_at DESC, id DESC LIMIT ?", (*params, limit)
        )
        return [_transfer(row) for row in result.rows]

    async def unsettled(self, merchant_id: str, currency: str) -> int:
        available = available_account(merchant_id)
        result = await self._sql.execute(
            "SELECT CAST(SUM(CASE WHEN credit_account = ? THEN amount ELSE -amount END) AS BIGINT)"
            " FROM ledger_transfers WHERE merchant_id = ? AND currency = ?"
            " AND settlement_id IS NULL AND (credit_account = ? OR debit_account = ?)",
            (available, merchant_id, currency, available, available),
        )
        return _int(result.scalar())

    async def claim(self, settlement_id: str, merchant_id: str, currency: str) -> int:
        available = available_account(merchant_id)
        result = await self._sql.execute(
            "UPDATE ledger_transfers SET settlement_id = ?"
            " WHERE merchant_id = ? AND currency = ? AND settlement_id IS NULL"
            " AND (credit_account = ? OR debit_account = ?)"
            " AND EXISTS (SELECT 1 FROM settlements WHERE id = ? AND stage = 'claiming')",
            (settlement_id, merchant_id, currency, available, available, settlement_id),
            idempotent=True,
        )
        return result.rowcount

    async def release_cancelled(self) -> int:
        result = await self._sql.execute(
            "UPDATE ledger_transfers SET settlement_id = NULL WHERE settlement_id IN"
            " (SELECT id FROM settlements WHERE stage = 'cancelled') AND kind NOT IN (?, ?)",
            (TransferKind.SETTLEMENT.value, TransferKind.PAYOUT.value),
            idempotent=True,
        )
        return result.rowcount
