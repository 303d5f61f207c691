"""Settlements: claim a merchant's unsettled money in one currency and pay it out."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import attrs

from core.domain.errors import Conflict, NotFound
from core.domain.ledger import (
    EXTERNAL,
    Transfer,
    TransferKind,
    available_account,
    pending_account,
    transfer_id,
)
from core.domain.payments import event_id

__all__ = [
    "NothingToSettle",
    "Settlement",
    "SettlementNotFound",
    "SettlementStage",
    "SettlementStatus",
    "settlement_event",
    "settlement_transfer",
    "settlement_view",
]


class SettlementStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"


class SettlementStage(StrEnum):
    """Where the workflow is; recovery resumes from here (not part of the API)."""

    CLAIMING = "claiming"  # row written, claim may or may not have run
    CLAIMED = "claimed"  # amount fixed; the settlement transfer may be missing
    PAYING = "paying"  # transfer posted; the payout may or may not have been sent
    NOTIFYING = "notifying"  # outcome recorded; the event may be missing
    DONE = "done"
    CANCELLED = "cancelled"  # the claim found nothing to pay; hidden from the API


class NothingToSettle(Conflict):
    code = "nothing_to_settle"
    title = "Nothing to settle"


class SettlementNotFound(NotFound):
    code = "not_found"


@attrs.frozen
class Settlement:
    id: str
    merchant_id: str
    currency: str
    amount: int
    status: SettlementStatus
    stage: SettlementStage
    payment_count: int
    created_at: str
    updated_at: str
    paid_at: str | None


def settlement_view(s: Settlement) -> dict[str, Any]:
    return {
        "id": s.id,
        "merchant_id": s.merchant_id,
        "currency": s.currency,
        "amount": s.amount,
        "status": s.status.value,
        "payment_count": s.payment_count,
        "created_at": s.created_at,
        "paid_at": s.paid_at,
    }


def settlement_event(s: Settlement) -> tuple[str, str, dict[str, Any]] | None:
    if s.status is SettlementStatus.PENDING:
        return None
    return (event_id(s.id, s.status.value), f"settlement.{s.status.value}", settlement_view(s))


def settlement_transfer(s: Settlement, step: TransferKind, posted_at: str) -> Transfer:
    """The claim (available → pending), the payout (pending → external) or its reversal."""
    routes = {
        TransferKind.SETTLEMENT: (available_account(s.merchant_id), pending_account(s.merchant_id)),
        TransferKind.PAYOUT: (pending_account(s.merchant_id), EXTERNAL),
        TransferKind.SETTLEMENT_REVERSAL: (
            pending_account(s.merchant_id),
            available_account(s.merchant_id),
        ),
    }
    debit, credit = routes[step]
    return Transfer(
        id=transfer_id(s.id, step.value),
        debit_account=debit,
        credit_account=credit,
        amount=s.amount,
        currency=s.currency,
        kind=step,
        merchant_id=s.merchant_id,
        payment_id=None,
        refund_id=None,
        # The reversal returns money to `available` unclaimed, so the next settlement pays it.
        settlement_id=None if step is TransferKind.SETTLEMENT_REVERSAL else s.id,
        posted_at=posted_at,
    )
