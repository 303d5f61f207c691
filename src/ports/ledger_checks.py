"""The read-only figures ``verify-ledger`` compares (every number summed by the store)."""

from __future__ import annotations

from typing import Protocol

import attrs


@attrs.frozen
class MerchantFigures:
    """Per merchant and currency: what the payments and settlements say, and the ledger."""

    merchant_id: str
    currency: str
    captured: int
    refunded: int
    fees: int
    settled: int
    available: int
    pending_payout: int


@attrs.frozen
class SettlementClaim:
    settlement_id: str
    status: str
    stage: str
    amount: int
    claimed_net: int
    reversal_posted: bool


@attrs.frozen
class PaymentFigures:
    payment_id: str
    status: str
    amount: int
    captured: int
    refunded: int
    fee: int
    refunds_succeeded: int
    capture_transfer: int
    fee_transfer: int
    refund_transfers: int


class LedgerChecks(Protocol):
    async def currency_totals(self) -> list[tuple[str, int]]:
        """Per currency, the sum of every account's balance (must be zero)."""
        ...

    async def malformed_transfers(self) -> list[str]:
        """Ids of transfers with a non-positive amount or the same account on both sides."""
        ...

    async def negative_accounts(self) -> list[tuple[str, str, int]]:
        """(account, currency, balance) of fee and pending-payout accounts below zero."""
        ...

    async def merchant_figures(self) -> list[MerchantFigures]: ...

    async def settlement_claims(self) -> list[SettlementClaim]: ...

    async def payment_figures(self) -> list[PaymentFigures]:
        """Payments whose row, refunds and ledger transfers disagree (already filtered)."""
        ...
