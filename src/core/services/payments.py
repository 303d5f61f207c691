"""Payments: create (authorize, or authorize and capture), capture, void, read.

Every step is one repeatable statement. The payment row's conditional update is the decision
point (the affected-row count says who won); ledger transfers and events follow with ids
derived from the payment, so repeating a step after a crash or a retry changes nothing.
"""

from __future__ import annotations

import attrs

from core.domain.errors import FieldError, InvalidStateTransition, ValidationFailed
from core.domain.identity import Principal
from core.domain.money import FeeSchedule, parse_currency, validate_amount
from core.domain.payments import (
    MAX_DESCRIPTION,
    MAX_REFERENCE,
    Payment,
    PaymentNotFound,
    PaymentStatus,
    capture_transfers,
    validate_text,
)
from core.domain.timestamps import rfc3339
from core.services.access import MerchantAccess
from core.services.recording import Recorder
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.payments import LedgerRepository, PaymentRepository

__all__ = ["PaymentService"]


class PaymentService:
    def __init__(
        self,
        payments: PaymentRepository,
        ledger: LedgerRepository,
        access: MerchantAccess,
        recorder: Recorder,
        fees: FeeSchedule,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._payments = payments
        self._ledger = ledger
        self._access = access
        self._recorder = recorder
        self._fees = fees
        self._clock = clock
        self._ids = ids

    def _now(self) -> str:
        return rfc3339(self._clock.now())

    # -- reads ---------------------------------------------------------------------------

    async def _load(self, merchant_id: str, payment_id: str) -> Payment:
        payment = await self._payments.get(payment_id)
        if payment is None or payment.merchant_id != merchant_id:
            raise PaymentNotFound("no such payment")
        return payment

    async def get(self, principal: Principal, merchant_id: str, payment_id: str) -> Payment:
        await self._access.member(principal, merchant_id)
        return await self._load(merchant_id, payment_id)

    async def page(
        self,
        principal: Principal,
        merchant_id: str,
        *,
        status: PaymentStatus | None,
        limit: int,
        before: str | None,
    ) -> list[Payment]:
        await self._access.member(principal, merchant_id)
        return await self._payments.page(merchant_id, status=status, limit=limit, before=before)

    # -- create --------------------------------------------------------------------------

    async def create(
        self,
        principal: Principal,
        merchant_id: str,
        *,
        amount: int,
        currency: str,
        description: str | None = None,
        reference: str | None = None,
        capture: bool = True,
        payment_id: str | None = None,
    ) -> Payment:
        """Create a payment; ``payment_id`` (from the idempotency key) makes it resumable."""
        pid = payment_id or self._ids.new("pay")
        return await self._recorder.audited(
            principal,
            "payment.create",
            pid,
            lambda: self._create(
                principal, merchant_id, pid, amount, currency, description, reference, capture
            ),
        )

    async def _create(
        self,
        principal: Principal,
        merchant_id: str,
        pid: str,
        amount: int,
        currency: str,
        description: str | None,
        reference: str | None,
        capture: bool,
    ) -> Payment:
        validate_amount(amount)
        currency = parse_currency(currency)
        validate_text(description, "description", MAX_DESCRIPTION)
        validate_text(reference, "reference", MAX_REFERENCE)
        merchant = await self._access.member(principal, merchant_id)
        merchant.require_currency(currency)
        now = self._now()
        payment = Payment(
            id=pid,
            merchant_id=merchant_id,
            amount=amount,
            currency=currency,
            status=PaymentStatus.PENDING,
            captured_amount=0,
            refunded_amount=0,
            fee_amount=0,
            description=description,
            reference=reference,
            capture_requested=capture,
            created_at=now,
            updated_at=now,
        )
        if not await self._payments.insert(payment):
            # A retry of a request that already started: resume the payment it created.
            payment = await self._load(merchant_id, pid)
        return await self.advance(payment)

    async def advance(self, payment: Payment) -> Payment:
        """Drive a payment from wherever it is to the end of its create workflow."""
        if payment.status is PaymentStatus.PENDING:
            now = self._now()
            if payment.capture_requested:
                fee = self._fees.fee_for(payment.amount)
                moved = await self._payments.capture(
                    payment.id,
                    from_status=PaymentStatus.PENDING,
                    amount=payment.amount,
                    fee=fee,
                    at=now,
                    decided_by=payment.id,
                )
                changed = attrs.evolve(
                    payment,
                    status=PaymentStatus.CAPTURED,
                    captured_amount=payment.amount,
                    fee_amount=fee,
                    authorized_at=now,
                    captured_at=now,
                    updated_at=now,
                    decided_by=payment.id,
                )
            else:
                moved = await self._payments.authorize(payment.id, now)
                changed = attrs.evolve(
                    payment, status=PaymentStatus.AUTHORIZED, authorized_at=now, updated_at=now
                )
            if moved:
                payment = changed
            else:
                # Recovery (or a concurrent retry) moved it first: continue from its state.
                payment = await self._load(payment.merchant_id, payment.id)
        await self._finish_capture(payment)
        await self._recorder.payment(payment)
        return payment

    async def _finish_capture(self, payment: Payment) -> None:
        if payment.captured_at is not None and payment.captured_amount > 0:
            await self._ledger.post(capture_transfers(payment))

    # -- capture and void ----------------------------------------------------------------

    async def capture(
        self,
        principal: Principal,
        merchant_id: str,
        payment_id: str,
        *,
        amount: int | None = None,
        operation_id: str | None = None,
    ) -> Payment:
        op = operation_id or self._ids.new("req")
        return await self._recorder.audited(
            principal,
            "payment.capture",
            payment_id,
            lambda: self._capture(principal, merchant_id, payment_id, amount, op),
        )

    async def _capture(
        self, principal: Principal, merchant_id: str, payment_id: str, amount: int | None, op: str
    ) -> Payment:
        if amount is not None:
            validate_amount(amount)
        await self._access.member(principal, merchant_id)
        payment = await self._load(merchant_id, payment_id)
        if payment.status is PaymentStatus.AUTHORIZED:
            captured = payment.amount if amount is None else amount
            if captured > payment.amount:
                raise ValidationFailed(
                    "cannot capture more than was authorized",
                    errors=[FieldError("amount", f"at most {payment.amount}")],
                    code="amount_exceeds_authorized",
                )
            now = self._now()
            fee = self._fees.fee_for(captured)
            if await self._payments.capture(
                payment_id,
                from_status=PaymentStatus.AUTHORIZED,
                amount=captured,
                fee=fee,
                at=now,
                decided_by=op,
            ):
                payment = attrs.evolve(
                    payment,
                    status=PaymentStatus.CAPTURED,
                    captured_amount=captured,
                    fee_amount=fee,
                    captured_at=now,
                    updated_at=now,
                    decided_by=op,
                )
            else:
                payment = await self._load(merchant_id, payment_id)
        if payment.decided_by != op or payment.captured_at is None:
            raise InvalidStateTransition(f"cannot capture a payment that is {payment.status.value}")
        await self._finish_capture(payment)
        await self._recorder.payment(payment, "captured")
        return payment

    async def void(
        self,
        principal: Principal,
        merchant_id: str,
        payment_id: str,
        *,
        operation_id: str | None = None,
    ) -> Payment:
        op = operation_id or self._ids.new("req")
        return await self._recorder.audited(
            principal,
            "payment.void",
            payment_id,
            lambda: self._void(principal, merchant_id, payment_id, op),
        )

    async def _void(
        self, principal: Principal, merchant_id: str, payment_id: str, op: str
    ) -> Payment:
        await self._access.member(principal, merchant_id)
        payment = await self._load(merchant_id, payment_id)
        if payment.status is PaymentStatus.AUTHORIZED:
            now = self._now()
            if await self._payments.void(payment_id, now, op):
                payment = attrs.evolve(
                    payment,
                    status=PaymentStatus.VOIDED,
                    finished_at=now,
                    updated_at=now,
                    decided_by=op,
                )
            else:
                payment = await self._load(merchant_id, payment_id)
        if payment.status is not PaymentStatus.VOIDED or payment.decided_by != op:
            raise InvalidStateTransition(f"cannot void a payment that is {payment.status.value}")
        await self._recorder.payment(payment, "voided")
        return payment
