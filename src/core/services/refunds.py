"""Refunds: partial and full, never more than captured, each applied to its payment once.

Steps: the refund row (pending) → the payment's conditional update (adds the amount and the
refund id while the captured amount still covers it) → the refund transfer → succeeded →
the ``refund.created`` event. Recovery finishes applied refunds and fails the others.
"""

from __future__ import annotations

import attrs

from core.domain.errors import InvalidStateTransition
from core.domain.identity import Principal
from core.domain.money import validate_amount
from core.domain.payments import (
    REFUNDABLE,
    Payment,
    PaymentNotFound,
    Refund,
    RefundAbandoned,
    RefundExceedsCaptured,
    RefundStatus,
    refund_transfer,
    validate_text,
)
from core.domain.timestamps import rfc3339
from core.services.access import MerchantAccess
from core.services.recording import Recorder
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.payments import LedgerRepository, PaymentRepository, RefundRepository

__all__ = ["RefundService"]

MAX_REASON = 1000


class RefundService:
    def __init__(
        self,
        payments: PaymentRepository,
        refunds: RefundRepository,
        ledger: LedgerRepository,
        access: MerchantAccess,
        recorder: Recorder,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._payments = payments
        self._refunds = refunds
        self._ledger = ledger
        self._access = access
        self._recorder = recorder
        self._clock = clock
        self._ids = ids

    def _now(self) -> str:
        return rfc3339(self._clock.now())

    async def _load(self, merchant_id: str, payment_id: str) -> Payment:
        payment = await self._payments.get(payment_id)
        if payment is None or payment.merchant_id != merchant_id:
            raise PaymentNotFound("no such payment")
        return payment

    async def list_for(
        self, principal: Principal, merchant_id: str, payment_id: str
    ) -> list[Refund]:
        await self._access.member(principal, merchant_id)
        await self._load(merchant_id, payment_id)
        return await self._refunds.list_for_payment(payment_id)

    async def refund(
        self,
        principal: Principal,
        merchant_id: str,
        payment_id: str,
        *,
        amount: int,
        reason: str | None = None,
        refund_id: str | None = None,
    ) -> Refund:
        rid = refund_id or self._ids.new("ref")
        return await self._recorder.audited(
            principal,
            "payment.refund",
            rid,
            lambda: self._refund(principal, merchant_id, payment_id, amount, reason, rid),
        )

    async def _refund(
        self,
        principal: Principal,
        merchant_id: str,
        payment_id: str,
        amount: int,
        reason: str | None,
        rid: str,
    ) -> Refund:
        validate_amount(amount)
        validate_text(reason, "reason", MAX_REASON)
        await self._access.member(principal, merchant_id)
        payment = await self._load(merchant_id, payment_id)
        if not payment.has_applied(rid):
            _check_refundable(payment, amount)
        now = self._now()
        refund = Refund(
            id=rid,
            payment_id=payment_id,
            merchant_id=merchant_id,
            amount=amount,
            currency=payment.currency,
            status=RefundStatus.PENDING,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
        if not await self._refunds.insert(refund):
            existing = await self._refunds.get(rid)
            if existing is None or existing.payment_id != payment_id:
                raise PaymentNotFound("no such payment")
            refund = existing
        return await self.advance_refund(refund, payment)

    async def advance_refund(self, refund: Refund, payment: Payment | None = None) -> Refund:
        """Drive a refund to its end: applied to the payment, posted, succeeded, announced."""
        if refund.status is RefundStatus.FAILED:
            raise RefundAbandoned("this refund was abandoned before it was applied")
        if refund.status is RefundStatus.PENDING:
            now = self._now()
            applied = await self._payments.apply_refund(
                refund.payment_id, refund.id, refund.amount, now
            )
            if not applied:
                current = await self._payments.get(refund.payment_id)
                if current is None or not current.has_applied(refund.id):
                    if await self._refunds.fail_unapplied(refund, now):
                        if current is not None:
                            _check_refundable(current, refund.amount)
                        raise RefundExceedsCaptured("the refund could not be applied")
                    again = await self._refunds.get(refund.id)
                    if again is None or again.status is RefundStatus.FAILED:
                        raise RefundExceedsCaptured("the refund could not be applied")
            await self._ledger.post([refund_transfer(refund)])
            await self._refunds.succeed(refund.id, now)
            refund = attrs.evolve(refund, status=RefundStatus.SUCCEEDED, updated_at=now)
        await self._recorder.refund(refund)
        return refund


def _check_refundable(payment: Payment, amount: int) -> None:
    if payment.status not in REFUNDABLE:
        raise InvalidStateTransition(f"cannot refund a payment that is {payment.status.value}")
    if amount > payment.refundable:
        raise RefundExceedsCaptured(
            f"at most {payment.refundable} of this payment can still be refunded"
        )
