"""Recovery: find workflows a crash or timeout left half-way and finish or compensate them.

Forward steps (posting a missing transfer, writing a missing event, driving a settlement)
are repeatable, so recovery may run beside live requests. Compensation (failing a payment
left ``pending``, a refund never applied) only touches work older than the grace period,
and each is a conditional update that loses to a request still finishing it.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from core.domain.errors import DomainError
from core.domain.payments import PaymentStatus, RefundStatus
from core.domain.timestamps import rfc3339
from core.services.payments import PaymentService
from core.services.recording import Recorder
from core.services.refunds import RefundService
from core.services.settlements import SettlementService
from ports.clock import Clock
from ports.metrics import OperationsMetrics
from ports.payments import (
    LedgerRepository,
    PaymentRepository,
    RefundRepository,
    SettlementRepository,
)

__all__ = ["RecoveryReport", "RecoveryService"]

BATCH = 500
DEFAULT_GRACE_SECONDS = 60


@attrs.define
class RecoveryReport:
    actions: list[tuple[str, str, str]] = attrs.field(factory=list)
    """(object id, what was found, what was done)."""

    def add(self, object_id: str, found: str, done: str) -> None:
        self.actions.append((object_id, found, done))

    def count(self, done_prefix: str) -> int:
        return sum(1 for a in self.actions if a[2].startswith(done_prefix))


_WORKFLOWS = {"pay": "payment", "ref": "refund", "stl": "settlement"}


def workflow_of(object_id: str) -> str:
    """The metric label for an action's subject (``-`` is the settlement transfers release)."""
    return _WORKFLOWS.get(object_id.split("_", 1)[0], "settlement")


def action_of(done: str) -> str:
    """A bounded metric label for what was done (``paid (done)`` → ``paid``)."""
    if done.startswith("recorded"):
        return "recorded_events"
    return done.split(" (", 1)[0].replace(" ", "_")


class RecoveryService:
    def __init__(
        self,
        payments: PaymentRepository,
        refunds: RefundRepository,
        settlements: SettlementRepository,
        ledger: LedgerRepository,
        payment_service: PaymentService,
        refund_service: RefundService,
        settlement_service: SettlementService,
        recorder: Recorder,
        clock: Clock,
        metrics: OperationsMetrics,
    ) -> None:
        self._payments = payments
        self._refunds = refunds
        self._settlements = settlements
        self._ledger = ledger
        self._payment_service = payment_service
        self._refund_service = refund_service
        self._settlement_service = settlement_service
        self._recorder = recorder
        self._clock = clock
        self._metrics = metrics

    async def run(self, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> RecoveryReport:
        report = RecoveryReport()
        now = self._clock.now()
        at = rfc3339(now)
        cutoff = rfc3339(now - timedelta(seconds=grace_seconds))
        await self._pending_payments(report, at, cutoff)
        await self._missing_capture_transfers(report)
        await self._pending_refunds(report, at, cutoff)
        await self._settlements_in_flight(report, cutoff)
        await self._missing_events(report)
        for object_id, _, done in report.actions:
            self._metrics.recovery_action(workflow_of(object_id), action_of(done))
        return report

    async def _pending_payments(self, report: RecoveryReport, at: str, cutoff: str) -> None:
        # Nothing moves money before a payment leaves `pending`: failing it compensates fully.
        for _ in range(100):
            stale = await self._payments.stale_pending(cutoff, BATCH)
            if not stale:
                return
            for payment in stale:
                if await self._payments.fail_stale(payment.id, at, cutoff):
                    failed = attrs.evolve(
                        payment, status=PaymentStatus.FAILED, finished_at=at, updated_at=at
                    )
                    await self._recorder.payment(failed, "failed")
                    report.add(payment.id, "payment left pending", "failed")

    async def _missing_capture_transfers(self, report: RecoveryReport) -> None:
        for _ in range(100):
            missing = await self._payments.missing_capture_transfers(BATCH)
            if not missing:
                return
            for payment in missing:
                await self._payment_service.advance(payment)
                report.add(payment.id, "captured without ledger transfers", "posted transfers")

    async def _pending_refunds(self, report: RecoveryReport, at: str, cutoff: str) -> None:
        for _ in range(100):
            stale = await self._refunds.stale_pending(cutoff, BATCH)
            if not stale:
                return
            for refund in stale:
                payment = await self._payments.get(refund.payment_id)
                if payment is not None and payment.has_applied(refund.id):
                    await self._refund_service.advance_refund(refund, payment)
                    report.add(refund.id, "refund applied but unfinished", "succeeded")
                elif await self._refunds.fail_unapplied(refund, at):
                    report.add(refund.id, "refund never applied", "failed")
                else:
                    again = await self._refunds.get(refund.id)
                    if again is not None and again.status is RefundStatus.PENDING:
                        await self._refund_service.advance_refund(again)
                        report.add(refund.id, "refund applied but unfinished", "succeeded")

    async def _settlements_in_flight(self, report: RecoveryReport, cutoff: str) -> None:
        released = await self._ledger.release_cancelled()
        if released:
            report.add("-", f"{released} transfers held by cancelled settlements", "released")
        for settlement in await self._settlements.incomplete(cutoff, BATCH):
            found = f"settlement {settlement.stage.value}"
            try:
                done = await self._settlement_service.advance(settlement)
            except DomainError as exc:
                report.add(settlement.id, found, f"cancelled ({exc.code})")
                continue
            report.add(settlement.id, found, f"{done.status.value} ({done.stage.value})")

    async def _missing_events(self, report: RecoveryReport) -> None:
        for payment in await self._payments.missing_events(BATCH):
            written = await self._recorder.payment(payment)
            report.add(payment.id, "event missing", f"recorded {written} event(s)")
        for refund in await self._refunds.missing_events(BATCH):
            await self._recorder.refund(refund)
            report.add(refund.id, "event missing", "recorded 1 event")
        for settlement in await self._settlements.missing_events(BATCH):
            await self._recorder.settlement(settlement)
            report.add(settlement.id, "event missing", "recorded 1 event")
