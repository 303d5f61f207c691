"""Payments and refunds in the store: conditional updates decide every race."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.payments import (
    REFUNDABLE,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    refund_tail,
)
from ports.sql import SqlExecutor, SqlValue, as_int

__all__ = ["SqlPaymentRepository", "SqlRefundRepository"]

_P = (
    "id, merchant_id, amount, currency, status, captured_amount, refunded_amount, fee_amount,"
    " description, reference, capture_requested, created_at, updated_at, authorized_at,"
    " captured_at, finished_at, decided_by, refund_ids"
)
_P_ALIASED = ", ".join(f"p.{c.strip()}" for c in _P.split(","))
_R = "id, payment_id, merchant_id, amount, currency, status, reason, created_at, updated_at"
_R_ALIASED = ", ".join(f"r.{c.strip()}" for c in _R.split(","))
_REFUNDABLE = tuple(s.value for s in REFUNDABLE)


def _opt(value: SqlValue) -> str | None:
    return None if value is None else str(value)


def _payment(row: Sequence[SqlValue]) -> Payment:
    return Payment(
        id=str(row[0]),
        merchant_id=str(row[1]),
        amount=as_int(row[2]),
        currency=str(row[3]),
        status=PaymentStatus(str(row[4])),
        captured_amount=as_int(row[5]),
        refunded_amount=as_int(row[6]),
        fee_amount=as_int(row[7]),
        description=_opt(row[8]),
        reference=_opt(row[9]),
        capture_requested=bool(row[10]),
        created_at=str(row[11]),
        updated_at=str(row[12]),
        authorized_at=_opt(row[13]),
        captured_at=_opt(row[14]),
        finished_at=_opt(row[15]),
        decided_by=_opt(row[16]),
        refund_ids=str(row[17]),
    )


def _refund(row: Sequence[SqlValue]) -> Refund:
    return Refund(
        id=str(row[0]),
        payment_id=str(row[1]),
        merchant_id=str(row[2]),
        amount=as_int(row[3]),
        currency=str(row[4]),
        status=RefundStatus(str(row[5])),
        reason=_opt(row[6]),
        created_at=str(row[7]),
        updated_at=str(row[8]),
    )


class SqlPaymentRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def insert(self, payment: Payment) -> bool:
        p = payment
        result = await self._sql.execute(
            f"INSERT INTO payments ({_P}) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                p.id,
                p.merchant_id,
                p.amount,
                p.currency,
                p.status.value,
                p.captured_amount,
                p.refunded_amount,
                p.fee_amount,
                p.description,
                p.reference,
                1 if p.capture_requested else 0,
                p.created_at,
                p.updated_at,
                p.authorized_at,
                p.captured_at,
                p.finished_at,
                p.decided_by,
                p.refund_ids,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def get(self, payment_id: str) -> Payment | None:
        result = await self._sql.execute(f"SELECT {_P} FROM payments WHERE id = ?", (payment_id,))
        return _payment(result.rows[0]) if result.rows else None

    async def page(
        self, merchant_id: str, *, status: PaymentStatus | None, limit: int, before: str | None
    ) -> list[Payment]:
        sql = f"SELECT {_P} FROM payments WHERE merchant_id = ?"
        params: list[SqlValue] = [merchant_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        if before is not None:
            sql += " AND id < ?"
            params.append(before)
        result = await self._sql.execute(f"{sql} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [_payment(row) for row in result.rows]

    async def authorize(self, payment_id: str, at: str) -> bool:
        result = await self._sql.execute(
            "UPDATE payments SET status = 'authorized', authorized_at = ?, updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (at, at, payment_id),
            idempotent=True,
        )
        return result.rowcount == 1

    async def capture(
        self,
        payment_id: str,
        *,
        from_status: PaymentStatus,
        amount: int,
        fee: int,
        at: str,
        decided_by: str,
    ) -> bool:
        result = await self._sql.execute(
            "UPDATE payments SET status = 'captured', captured_amount = ?, fee_amount = ?,"
            " authorized_at = COALESCE(authorized_at, ?), captured_at = ?, updated_at = ?,"
            " decided_by = ? WHERE id = ? AND status = ? AND ? <= amount",
            (amount, fee, at, at, at, decided_by, payment_id, from_status.value, amount),
            idempotent=True,
        )
        return result.rowcount == 1

    async def void(self, payment_id: str, at: str, decided_by: str) -> bool:
        result = await self._sql.execute(
            "UPDATE payments SET status = 'voided', finished_at = ?, updated_at = ?,"
            " decided_by = ? WHERE id = ? AND status = 'authorized'",
            (at, at, decided_by, payment_id),
            idempotent=True,
        )
        return result.rowcount == 1

    async def fail_stale(self, payment_id: str, at: str, stale_before: str) -> bool:
        result = await self._sql.execute(
            "UPDATE payments SET status = 'failed', finished_at = ?, updated_at = ?"
            " WHERE id = ? AND status = 'pending' AND updated_at < ?",
            (at, at, payment_id, stale_before),
            idempotent=True,
        )
        return result.rowcount == 1

    async def apply_refund(self, payment_id: str, refund_id: str, amount: int, at: str) -> bool:
        marker = f",{refund_tail(refund_id)},"
        # One statement: the captured amount still covers it, it is not applied yet, and the
        # refund is still pending (recovery may have failed it meanwhile).
        result = await self._sql.execute(
            "UPDATE payments SET refunded_amount = refunded_amount + ?,"
            " refund_ids = refund_ids || ?,"
            " status = CASE WHEN refunded_amount + ? = captured_amount THEN 'refunded'"
            " ELSE 'partially_refunded' END,"
            " updated_at = ?"
            " WHERE id = ? AND status IN (?, ?) AND refunded_amount + ? <= captured_amount"
            " AND refund_ids NOT LIKE ?"
            " AND EXISTS (SELECT 1 FROM refunds WHERE id = ? AND status = 'pending')",
            (
                amount,
                marker[1:],
                amount,
                at,
                payment_id,
                *_REFUNDABLE,
                amount,
                f"%{marker}%",
                refund_id,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def stale_pending(self, before: str, limit: int) -> list[Payment]:
        result = await self._sql.execute(
            f"SELECT {_P} FROM payments WHERE status = 'pending' AND updated_at < ?"
            " ORDER BY updated_at LIMIT ?",
            (before, limit),
        )
        return [_payment(row) for row in result.rows]

    async def missing_capture_transfers(self, limit: int) -> list[Payment]:
        result = await self._sql.execute(
            f"SELECT {_P_ALIASED} FROM payments p WHERE p.captured_at IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM ledger_transfers t"
            " WHERE t.id = 'trf_' || p.id || '_capture') LIMIT ?",
            (limit,),
        )
        return [_payment(row) for row in result.rows]

    async def missing_events(self, limit: int) -> list[Payment]:
        # Each change's event id is derived from the payment id; look for any that is absent.
        result = await self._sql.execute(
            f"SELECT {_P_ALIASED} FROM payments p WHERE"
            " (p.authorized_at IS NOT NULL AND NOT EXISTS"
            "  (SELECT 1 FROM events e WHERE e.id = 'evt_' || p.id || '_authorized'))"
            " OR (p.captured_at IS NOT NULL AND NOT EXISTS"
            "  (SELECT 1 FROM events e WHERE e.id = 'evt_' || p.id || '_captured'))"
            " OR (p.status IN ('voided', 'failed') AND NOT EXISTS"
            "  (SELECT 1 FROM events e WHERE e.id = 'evt_' || p.id || '_' || p.status))"
            " LIMIT ?",
            (limit,),
        )
        return [_payment(row) for row in result.rows]


class SqlRefundRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def insert(self, refund: Refund) -> bool:
        r = refund
        result = await self._sql.execute(
            f"INSERT INTO refunds ({_R}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                r.id,
                r.payment_id,
                r.merchant_id,
                r.amount,
                r.currency,
                r.status.value,
                r.reason,
                r.created_at,
                r.updated_at,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def get(self, refund_id: str) -> Refund | None:
        result = await self._sql.execute(f"SELECT {_R} FROM refunds WHERE id = ?", (refund_id,))
        return _refund(result.rows[0]) if result.rows else None

    async def list_for_payment(self, payment_id: str) -> list[Refund]:
        result = await self._sql.execute(
            f"SELECT {_R} FROM refunds WHERE payment_id = ? AND status != 'failed' ORDER BY id",
            (payment_id,),
        )
        return [_refund(row) for row in result.rows]

    async def succeed(self, refund_id: str, at: str) -> bool:
        result = await self._sql.execute(
            "UPDATE refunds SET status = 'succeeded', updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (at, refund_id),
            idempotent=True,
        )
        return result.rowcount == 1

    async def fail_unapplied(self, refund: Refund, at: str) -> bool:
        marker = f"%,{refund_tail(refund.id)},%"
        result = await self._sql.execute(
            "UPDATE refunds SET status = 'failed', updated_at = ?"
            " WHERE id = ? AND status = 'pending' AND NOT EXISTS"
            " (SELECT 1 FROM payments WHERE id = ? AND refund_ids LIKE ?)",
            (at, refund.id, refund.payment_id, marker),
            idempotent=True,
        )
        return result.rowcount == 1

    async def stale_pending(self, before: str, limit: int) -> list[Refund]:
        result = await self._sql.execute(
            f"SELECT {_R} FROM refunds WHERE status = 'pending' AND updated_at < ?"
            " ORDER BY updated_at LIMIT ?",
            (before, limit),
        )
        return [_refund(row) for row in result.rows]

    async def missing_events(self, limit: int) -> list[Refund]:
        result = await self._sql.execute(
            f"SELECT {_R_ALIASED} FROM refunds r WHERE r.status = 'succeeded' AND NOT EXISTS"
            " (SELECT 1 FROM events e WHERE e.id = 'evt_' || r.id || '_created') LIMIT ?",
            (limit,),
        )
        return [_refund(row) for row in result.rows]
