"""The payment state machine's views, events and transfers, and idempotency fingerprints."""

from __future__ import annotations

import pytest

from core.domain.errors import ValidationFailed
from core.domain.idempotency import (
    IdempotencyKeyMissing,
    fingerprint,
    scope_of,
    validate_key,
)
from core.domain.ledger import EXTERNAL, PLATFORM_FEES, Transfer, TransferKind
from core.domain.payments import (
    Payment,
    PaymentStatus,
    capture_transfers,
    payment_events,
    payment_view,
)

T0 = "2026-01-31T12:00:00.000000Z"
T1 = "2026-01-31T12:05:00.000000Z"
T2 = "2026-01-31T12:09:00.000000Z"


def payment(**changes: object) -> Payment:
    base: dict[str, object] = {
        "id": "pay_1",
        "merchant_id": "mer_1",
        "amount": 10_000,
        "currency": "USD",
        "status": PaymentStatus.PENDING,
        "captured_amount": 0,
        "refunded_amount": 0,
        "fee_amount": 0,
        "description": None,
        "reference": None,
        "capture_requested": False,
        "created_at": T0,
        "updated_at": T0,
    }
    base.update(changes)
    return Payment(**base)  # type: ignore[arg-type]


def test_events_are_rebuilt_from_the_row_as_the_object_was_after_each_change() -> None:
    p = payment(
        status=PaymentStatus.PARTIALLY_REFUNDED,
        captured_amount=8_000,
        refunded_amount=1_000,
        fee_amount=262,
        authorized_at=T0,
        captured_at=T1,
        updated_at=T2,
    )
    events = {kind: (eid, data) for eid, kind, data in payment_events(p)}
    assert set(events) == {"payment.authorized", "payment.captured"}
    assert events["payment.authorized"][0] == "evt_pay_1_authorized"
    assert events["payment.authorized"][1] == {
        **payment_view(p),
        "status": "authorized",
        "captured_amount": 0,
        "refunded_amount": 0,
        "fee_amount": 0,
        "updated_at": T0,
    }
    assert events["payment.captured"][1] == {
        **payment_view(p),
        "status": "captured",
        "refunded_amount": 0,
        "updated_at": T1,
    }


def test_a_pending_payment_has_no_events_and_a_failed_one_has_one() -> None:
    assert payment_events(payment()) == []
    failed = payment(status=PaymentStatus.FAILED, finished_at=T1, updated_at=T1)
    assert [(eid, kind) for eid, kind, _ in payment_events(failed)] == [
        ("evt_pay_1_failed", "payment.failed")
    ]


def test_capture_posts_the_capture_and_the_fee_with_derived_ids() -> None:
    p = payment(
        status=PaymentStatus.CAPTURED, captured_amount=10_000, fee_amount=320, captured_at=T1
    )
    capture, fee = capture_transfers(p)
    assert (capture.id, capture.debit_account, capture.amount) == (
        "trf_pay_1_capture",
        EXTERNAL,
        10_000,
    )
    assert capture.credit_account == "merchant:mer_1:available"
    assert (fee.id, fee.credit_account, fee.amount) == ("trf_pay_1_fee", PLATFORM_FEES, 320)
    assert capture_transfers(p) == [capture, fee]


def test_a_transfer_moves_a_positive_amount_between_two_accounts() -> None:
    common = {
        "currency": "USD",
        "kind": TransferKind.CAPTURE,
        "merchant_id": "m",
        "payment_id": None,
        "refund_id": None,
        "settlement_id": None,
        "posted_at": T0,
    }
    with pytest.raises(ValueError, match="positive"):
        Transfer(id="t", debit_account="a", credit_account="b", amount=0, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two accounts"):
        Transfer(id="t", debit_account="a", credit_account="a", amount=1, **common)  # type: ignore[arg-type]


def test_idempotency_keys_are_one_to_255_printable_ascii_characters() -> None:
    assert validate_key("a") == "a"
    assert validate_key("~" * 255) == "~" * 255
    with pytest.raises(IdempotencyKeyMissing):
        validate_key(None)
    with pytest.raises(IdempotencyKeyMissing):
        validate_key("")
    for bad in ("x" * 256, "tab\there", "é", "nl\n"):
        with pytest.raises(ValidationFailed):
            validate_key(bad)


def test_fingerprints_ignore_key_order_but_not_values_or_paths() -> None:
    a = fingerprint("POST", "/p", {"amount": 1, "currency": "USD"})
    assert a == fingerprint("post", "/p", {"currency": "USD", "amount": 1})
    assert a != fingerprint("POST", "/p", {"amount": 2, "currency": "USD"})
    assert a != fingerprint("POST", "/q", {"amount": 1, "currency": "USD"})
    assert scope_of("usr_1", "POST", "/r", "k") != scope_of("usr_2", "POST", "/r", "k")
