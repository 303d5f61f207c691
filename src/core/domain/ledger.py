"""The ledger: single-row transfers between accounts, ids derived from what caused them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

import attrs

__all__ = [
    "EXTERNAL",
    "PLATFORM_FEES",
    "Transfer",
    "TransferKind",
    "available_account",
    "pending_account",
    "transfer_id",
    "transfer_view",
]

EXTERNAL: Final = "external"
"""Money outside the platform: the card networks paying in, merchants' banks paid out."""
PLATFORM_FEES: Final = "platform:fees"


def available_account(merchant_id: str) -> str:
    """Captured money the merchant has not been paid yet."""
    return f"merchant:{merchant_id}:available"


def pending_account(merchant_id: str) -> str:
    """Money claimed by a settlement and on its way to the merchant's bank."""
    return f"merchant:{merchant_id}:pending_payout"


class TransferKind(StrEnum):
    CAPTURE = "capture"  # external → available
    FEE = "fee"  # available → platform fees
    REFUND = "refund"  # available → external
    SETTLEMENT = "settlement"  # available → pending payout (the claim)
    PAYOUT = "payout"  # pending payout → external (paid)
    SETTLEMENT_REVERSAL = "settlement_reversal"  # pending payout → available (payout failed)


@attrs.frozen
class Transfer:
    """Debits one account and credits another; balance = credits - debits."""

    id: str
    debit_account: str
    credit_account: str
    amount: int
    currency: str
    kind: TransferKind
    merchant_id: str
    payment_id: str | None
    refund_id: str | None
    settlement_id: str | None
    posted_at: str

    def __attrs_post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a transfer moves a positive amount")
        if self.debit_account == self.credit_account:
            raise ValueError("a transfer moves money between two accounts")


def transfer_id(cause_id: str, step: str) -> str:
    """Deterministic id: repeating the step re-inserts the same id, which the key refuses."""
    return f"trf_{cause_id}_{step}"


def transfer_view(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.id,
        "debit_account": t.debit_account,
        "credit_account": t.credit_account,
        "amount": t.amount,
        "currency": t.currency,
        "kind": t.kind.value,
        "payment_id": t.payment_id,
        "refund_id": t.refund_id,
        "settlement_id": t.settlement_id,
        "posted_at": t.posted_at,
    }
