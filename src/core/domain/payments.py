"""Payments and refunds: the state machine, the API view, and the events of each change."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import attrs

from core.domain.errors import (
    Conflict,
    FieldError,
    InvalidStateTransition,
    NotFound,
    ValidationFailed,
)
from core.domain.ledger import (
    EXTERNAL,
    PLATFORM_FEES,
    Transfer,
    TransferKind,
    available_account,
    transfer_id,
)

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_REFERENCE",
    "REFUNDABLE",
    "Payment",
    "PaymentNotFound",
    "PaymentStatus",
    "Refund",
    "RefundAbandoned",
    "RefundExceedsCaptured",
    "RefundStatus",
    "capture_transfers",
    "event_id",
    "payment_events",
    "payment_view",
    "refund_tail",
    "refund_transfer",
    "refund_view",
    "validate_text",
]

MAX_DESCRIPTION = 1000
MAX_REFERENCE = 200


class PaymentStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"


REFUNDABLE = (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED)


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class PaymentNotFound(NotFound):
    code = "not_found"


class RefundAbandoned(Conflict):
    """A crash stopped the refund before it touched the payment; recovery failed it."""

    code = "refund_failed"
    title = "Refund failed"


class RefundExceedsCaptured(Conflict):
    code = "refund_exceeds_captured"
    title = "Refund exceeds the captured amount"


def validate_text(value: str | None, field: str, limit: int) -> str | None:
    """Free text stored exactly as given, up to ``limit`` characters."""
    if value is not None and len(value) > limit:
        raise ValidationFailed(
            f"{field} is limited to {limit} characters",
            errors=[FieldError(field, f"at most {limit} characters")],
        )
    return value


@attrs.frozen
class Payment:
    id: str
    merchant_id: str
    amount: int
    currency: str
    status: PaymentStatus
    captured_amount: int
    refunded_amount: int
    fee_amount: int
    description: str | None
    reference: str | None
    capture_requested: bool
    created_at: str
    updated_at: str
    authorized_at: str | None = None
    captured_at: str | None = None
    finished_at: str | None = None
    decided_by: str | None = None
    refund_ids: str = ","

    def require(self, *allowed: PaymentStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidStateTransition(f"cannot {action} a payment that is {self.status.value}")

    def has_applied(self, refund_id: str) -> bool:
        return f",{refund_tail(refund_id)}," in self.refund_ids

    @property
    def refundable(self) -> int:
        return self.captured_amount - self.refunded_amount


def refund_tail(refund_id: str) -> str:
    """What a payment's ``refund_ids`` list keeps of a refund id (no ``_`` LIKE wildcard)."""
    return refund_id.partition("_")[2]


@attrs.frozen
class Refund:
    id: str
    payment_id: str
    merchant_id: str
    amount: int
    currency: str
    status: RefundStatus
    reason: str | None
    created_at: str
    updated_at: str


def payment_view(p: Payment) -> dict[str, Any]:
    """The payment exactly as the API returns it (HTTP bodies and event data share it)."""
    return {
        "id": p.id,
        "merchant_id": p.merchant_id,
        "amount": p.amount,
        "currency": p.currency,
        "status": p.status.value,
        "captured_amount": p.captured_amount,
        "refunded_amount": p.refunded_amount,
        "fee_amount": p.fee_amount,
        "description": p.description,
        "reference": p.reference,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def refund_view(r: Refund) -> dict[str, Any]:
    return {
        "id": r.id,
        "payment_id": r.payment_id,
        "amount": r.amount,
        "currency": r.currency,
        "status": r.status.value,
        "reason": r.reason,
        "created_at": r.created_at,
    }


def event_id(object_id: str, change: str) -> str:
    """Derived from the change, so recording it is a repeatable step."""
    return f"evt_{object_id}_{change}"


def payment_events(p: Payment) -> list[tuple[str, str, dict[str, Any]]]:
    """(event id, type, data) for every change the payment went through, rebuilt from its row.

    Each snapshot is the payment as it was right after that change: refunds only start after
    capture and never touch the captured snapshot, so the row holds everything needed.
    """
    found: list[tuple[str, str, dict[str, Any]]] = []
    base = payment_view(p)
    zero = {"captured_amount": 0, "refunded_amount": 0, "fee_amount": 0}
    if p.authorized_at is not None:
        data = {**base, **zero, "status": "authorized", "updated_at": p.authorized_at}
        found.append((event_id(p.id, "authorized"), "payment.authorized", data))
    if p.captured_at is not None:
        data = {**base, "status": "captured", "refunded_amount": 0, "updated_at": p.captured_at}
        found.append((event_id(p.id, "captured"), "payment.captured", data))
    if p.status in (PaymentStatus.VOIDED, PaymentStatus.FAILED) and p.finished_at is not None:
        data = {**base, **zero, "status": p.status.value, "updated_at": p.finished_at}
        found.append((event_id(p.id, p.status.value), f"payment.{p.status.value}", data))
    return found


def capture_transfers(p: Payment) -> list[Transfer]:
    """The capture and its fee, as two transfers with ids derived from the payment."""
    assert p.captured_at is not None
    assert p.captured_amount > 0
    available = available_account(p.merchant_id)
    common = {
        "currency": p.currency,
        "merchant_id": p.merchant_id,
        "payment_id": p.id,
        "refund_id": None,
        "settlement_id": None,
        "posted_at": p.captured_at,
    }
    found = [
        Transfer(
            id=transfer_id(p.id, "capture"),
            debit_account=EXTERNAL,
            credit_account=available,
            amount=p.captured_amount,
            kind=TransferKind.CAPTURE,
            **common,  # type: ignore[arg-type]
        )
    ]
    if p.fee_amount > 0:
        found.append(
            Transfer(
                id=transfer_id(p.id, "fee"),
                debit_account=available,
                credit_account=PLATFORM_FEES,
                amount=p.fee_amount,
                kind=TransferKind.FEE,
                **common,  # type: ignore[arg-type]
            )
        )
    return found


def refund_transfer(r: Refund) -> Transfer:
    return Transfer(
        id=transfer_id(r.id, "refund"),
        debit_account=available_account(r.merchant_id),
        credit_account=EXTERNAL,
        amount=r.amount,
        currency=r.currency,
        kind=TransferKind.REFUND,
        merchant_id=r.merchant_id,
        payment_id=r.payment_id,
        refund_id=r.id,
        settlement_id=None,
        posted_at=r.created_at,
    )
