"""Settlements: claim → settlement transfer → payout → paid (or failed and reversed) → event.

The claim is one UPDATE stamping every unclaimed transfer on the merchant's available
account; the amount is summed by the statement that closes the claim, so a transfer is never
counted by two settlements and two runs for one merchant never pay the same money twice.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from core.domain.identity import SYSTEM, Principal
from core.domain.ledger import TransferKind
from core.domain.money import parse_currency
from core.domain.settlements import (
    NothingToSettle,
    Settlement,
    SettlementNotFound,
    SettlementStage,
    SettlementStatus,
    settlement_transfer,
)
from core.domain.timestamps import rfc3339
from core.services.access import MerchantAccess
from core.services.recording import Recorder
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.payments import LedgerRepository, SettlementRepository
from ports.payouts import PayoutOrder, Payouts

__all__ = ["BatchResult", "SettlementService"]

S = SettlementStage


@attrs.frozen
class BatchResult:
    merchant_id: str
    currency: str
    settlement: Settlement | None
    error: str | None = None


class SettlementService:
    def __init__(
        self,
        settlements: SettlementRepository,
        ledger: LedgerRepository,
        payouts: Payouts,
        access: MerchantAccess,
        recorder: Recorder,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._settlements = settlements
        self._ledger = ledger
        self._payouts = payouts
        self._access = access
        self._recorder = recorder
        self._clock = clock
        self._ids = ids

    def _now(self) -> str:
        return rfc3339(self._clock.now())

    async def get(self, principal: Principal, merchant_id: str, settlement_id: str) -> Settlement:
        await self._access.member(principal, merchant_id)
        found = await self._settlements.get(settlement_id)
        if found is None or found.merchant_id != merchant_id or found.stage is S.CANCELLED:
            raise SettlementNotFound("no such settlement")
        return found

    async def page(
        self, principal: Principal, merchant_id: str, *, limit: int, before: str | None
    ) -> list[Settlement]:
        await self._access.member(principal, merchant_id)
        return await self._settlements.page(merchant_id, limit=limit, before=before)

    async def create(
        self,
        principal: Principal,
        merchant_id: str,
        *,
        currency: str,
        settlement_id: str | None = None,
    ) -> Settlement:
        """Settle everything captured and unsettled in ``currency``; owners and admins only."""
        sid = settlement_id or self._ids.new("stl")
        return await self._recorder.audited(
            principal,
            "settlement.create",
            sid,
            lambda: self._create(principal, merchant_id, currency, sid, settlement_id is not None),
        )

    async def _create(
        self, principal: Principal, merchant_id: str, currency: str, sid: str, resumable: bool
    ) -> Settlement:
        currency = parse_currency(currency)
        await self._access.owner(principal, merchant_id)
        if resumable:
            existing = await self._settlements.get(sid)
            if existing is not None:
                return await self.advance(existing)
        if await self._ledger.unsettled(merchant_id, currency) <= 0:
            raise NothingToSettle(f"no unsettled {currency} balance to pay out")
        now = self._now()
        settlement = Settlement(
            id=sid,
            merchant_id=merchant_id,
            currency=currency,
            amount=0,
            status=SettlementStatus.PENDING,
            stage=S.CLAIMING,
            payment_count=0,
            created_at=now,
            updated_at=now,
            paid_at=None,
        )
        await self._settlements.insert(settlement)
        return await self.advance(settlement)

    async def _reload(self, settlement_id: str) -> Settlement:
        found = await self._settlements.get(settlement_id)
        assert found is not None, "a settlement row is never deleted"
        return found

    async def advance(self, s: Settlement) -> Settlement:
        """Drive a settlement from its stage to ``done``; every step repeatable.

        Raises ``NothingToSettle`` when the claim found nothing to pay (cancelled). When the
        payout rail's answer is unknown the settlement stays ``pending`` for recovery.
        """
        for _ in range(10):  # each pass moves at least one stage, or somebody else did
            now = self._now()
            if s.stage is S.CANCELLED:
                await self._ledger.release_cancelled()
                raise NothingToSettle(f"no unsettled {s.currency} balance to pay out")
            if s.stage is S.DONE:
                return s
            if s.stage is S.CLAIMING:
                await self._ledger.claim(s.id, s.merchant_id, s.currency)
                await self._settlements.fix_amount(s.id, now)
                s = await self._reload(s.id)
                continue
            if s.stage is S.CLAIMED:
                await self._ledger.post([settlement_transfer(s, TransferKind.SETTLEMENT, now)])
                if await self._settlements.advance(
                    s.id, from_stage=S.CLAIMED, to_stage=S.PAYING, at=now
                ):
                    s = attrs.evolve(s, stage=S.PAYING, updated_at=now)
                else:
                    s = await self._reload(s.id)
                continue
            if s.stage is S.PAYING:
                order = PayoutOrder(s.id, s.merchant_id, s.currency, s.amount)
                try:
                    result = await self._payouts.send(order)
                except Exception:  # outcome unknown: leave it for recovery to ask again
                    return s
                if result.succeeded:
                    step, status, paid_at = TransferKind.PAYOUT, SettlementStatus.PAID, now
                else:
                    step, status, paid_at = (
                        TransferKind.SETTLEMENT_REVERSAL,
                        SettlementStatus.FAILED,
                        None,
                    )
                await self._ledger.post([settlement_transfer(s, step, now)])
                if await self._settlements.advance(
                    s.id,
                    from_stage=S.PAYING,
                    to_stage=S.NOTIFYING,
                    at=now,
                    status=status,
                    paid_at=paid_at,
                ):
                    s = attrs.evolve(
                        s, stage=S.NOTIFYING, status=status, paid_at=paid_at, updated_at=now
                    )
                else:
                    s = await self._reload(s.id)
                continue
            if s.stage is S.NOTIFYING:
                await self._recorder.settlement(s)
                if await self._settlements.advance(
                    s.id, from_stage=S.NOTIFYING, to_stage=S.DONE, at=now
                ):
                    return attrs.evolve(s, stage=S.DONE, updated_at=now)
                s = await self._reload(s.id)
        return s

    async def settle_all(
        self,
        merchant_id: str | None = None,
        *,
        on_result: Callable[[BatchResult], None] | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> list[BatchResult]:
        """The operator's batch: every (merchant, currency) with unsettled money."""
        pairs = await self._settlements.merchants_with_unsettled()
        if merchant_id is not None:
            pairs = [p for p in pairs if p[0] == merchant_id]
        if on_total is not None:
            on_total(len(pairs))
        results: list[BatchResult] = []
        for mid, currency in pairs:
            try:
                settled = await self.create(SYSTEM, mid, currency=currency)
                item = BatchResult(mid, currency, settled)
            except NothingToSettle:
                item = BatchResult(mid, currency, None, "nothing_to_settle")
            except Exception as exc:  # one merchant's failure must not stop the batch
                item = BatchResult(mid, currency, None, type(exc).__name__)
            results.append(item)
            if on_result is not None:
                on_result(item)
        return results
