"""Repositories of the payments core: merchants, payments, refunds, ledger, settlements.

Every method is one SQL statement (or a read); the conditional ones answer whether this call
made the change, so the caller knows who won a race without a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import attrs

from core.domain.identity import MerchantRole
from core.domain.ledger import Transfer
from core.domain.merchants import Merchant
from core.domain.payments import Payment, PaymentStatus, Refund
from core.domain.settlements import Settlement, SettlementStage, SettlementStatus


@attrs.frozen
class Balance:
    currency: str
    available: int
    pending: int
    settled: int


class MerchantRepository(Protocol):
    async def add(self, merchant: Merchant) -> None: ...

    async def get(self, merchant_id: str) -> Merchant | None: ...

    async def get_with_role(
        self, merchant_id: str, user_id: str
    ) -> tuple[Merchant, MerchantRole | None] | None:
        """The merchant and ``user_id``'s role in it (None: not a member), in one read."""
        ...

    async def page(
        self, *, ids: Sequence[str] | None, limit: int, after: str | None
    ) -> list[Merchant]:
        """Merchants by id ascending; ``ids=None`` means all of them."""
        ...


class PaymentRepository(Protocol):
    async def insert(self, payment: Payment) -> bool:
        """Insert a pending payment; False when one with its id exists."""
        ...

    async def get(self, payment_id: str) -> Payment | None: ...

    async def page(
        self, merchant_id: str, *, status: PaymentStatus | None, limit: int, before: str | None
    ) -> list[Payment]:
        """Newest first; ``before`` is the id the previous page ended with."""
        ...

    async def authorize(self, payment_id: str, at: str) -> bool:
        """pending → authorized."""
        ...

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
        """pending|authorized → captured with the captured amount and fee fixed."""
        ...

    async def void(self, payment_id: str, at: str, decided_by: str) -> bool:
        """authorized → voided."""
        ...

    async def fail_stale(self, payment_id: str, at: str, stale_before: str) -> bool:
        """pending → failed, only when it has not moved since ``stale_before``."""
        ...

    async def apply_refund(self, payment_id: str, refund_id: str, amount: int, at: str) -> bool:
        """Add a pending refund to the payment when the captured amount still covers it.

        Repeating it for the same refund changes nothing (the payment lists applied refunds).
        """
        ...

    async def stale_pending(self, before: str, limit: int) -> list[Payment]: ...

    async def missing_capture_transfers(self, limit: int) -> list[Payment]:
        """Captured payments whose capture transfer is not in the ledger."""
        ...

    async def missing_events(self, limit: int) -> list[Payment]:
        """Payments with a state change whose event is not in the event log."""
        ...


class RefundRepository(Protocol):
    async def insert(self, refund: Refund) -> bool: ...

    async def get(self, refund_id: str) -> Refund | None: ...

    async def list_for_payment(self, payment_id: str) -> list[Refund]: ...

    async def succeed(self, refund_id: str, at: str) -> bool:
        """pending → succeeded."""
        ...

    async def fail_unapplied(self, refund: Refund, at: str) -> bool:
        """pending → failed, only while the payment has not applied it."""
        ...

    async def stale_pending(self, before: str, limit: int) -> list[Refund]: ...

    async def missing_events(self, limit: int) -> list[Refund]: ...


class LedgerRepository(Protocol):
    async def post(self, transfers: Sequence[Transfer]) -> None:
        """Insert the transfers in one statement; ones already there are left as they are."""
        ...

    async def balances(self, merchant_id: str) -> list[Balance]: ...

    async def list_for_merchant(
        self, merchant_id: str, *, limit: int, before: tuple[str, str] | None
    ) -> list[Transfer]:
        """Newest first by (posted_at, id)."""
        ...

    async def unsettled(self, merchant_id: str, currency: str) -> int:
        """Net of the transfers on the merchant's available account no settlement claimed."""
        ...

    async def claim(self, settlement_id: str, merchant_id: str, currency: str) -> int:
        """Stamp every unclaimed transfer on the available account with the settlement.

        Only while the settlement is still ``claiming``: once its amount is fixed, nothing
        more can join it.
        """
        ...

    async def release_cancelled(self) -> int:
        """Give back what cancelled settlements claimed; returns how many transfers."""
        ...


class SettlementRepository(Protocol):
    async def insert(self, settlement: Settlement) -> bool: ...

    async def get(self, settlement_id: str) -> Settlement | None: ...

    async def page(
        self, merchant_id: str, *, limit: int, before: str | None
    ) -> list[Settlement]: ...

    async def fix_amount(self, settlement_id: str, at: str) -> bool:
        """claiming → claimed (amount = net of the claim) or cancelled (nothing to pay).

        The amount is summed by the same statement that closes the claim.
        """
        ...

    async def advance(
        self,
        settlement_id: str,
        *,
        from_stage: SettlementStage,
        to_stage: SettlementStage,
        at: str,
        status: SettlementStatus | None = None,
        paid_at: str | None = None,
    ) -> bool: ...

    async def incomplete(self, before: str, limit: int) -> list[Settlement]:
        """Settlements stuck before ``done`` whose last step is older than ``before``."""
        ...

    async def missing_events(self, limit: int) -> list[Settlement]:
        """Finished settlements whose ``settlement.paid|failed`` event is absent."""
        ...

    async def merchants_with_unsettled(self) -> list[tuple[str, str]]:
        """(merchant id, currency) pairs that have unclaimed ledger transfers."""
        ...
