"""The payments core: repositories, the payout rail, idempotency and the use cases."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.payouts.demo import DemoPayouts
from adapters.sql.idempotency import SqlIdempotencyStore
from adapters.sql.ledger import SqlLedgerRepository
from adapters.sql.ledger_checks import SqlLedgerChecks
from adapters.sql.merchants import SqlMerchantRepository
from adapters.sql.payments import SqlPaymentRepository, SqlRefundRepository
from adapters.sql.settlements import SqlSettlementRepository
from core.domain.money import FeeSchedule
from core.services.access import MerchantAccess
from core.services.idempotency import IdempotencyService
from core.services.ledger_verification import LedgerVerifier
from core.services.merchants import MerchantService
from core.services.payments import PaymentService
from core.services.recording import Recorder
from core.services.recovery import RecoveryService
from core.services.refunds import RefundService
from core.services.settlements import SettlementService
from entrypoints.settings import Settings
from ports.clock import Clock
from ports.idempotency import IdempotencyStore
from ports.ids import IdGenerator
from ports.ledger_checks import LedgerChecks
from ports.metrics import OperationsMetrics
from ports.payments import (
    LedgerRepository,
    MerchantRepository,
    PaymentRepository,
    RefundRepository,
    SettlementRepository,
)
from ports.payouts import Payouts

__all__ = ["PaymentsProvider"]


class PaymentsProvider(Provider):
    scope = Scope.APP

    merchants = provide(SqlMerchantRepository, provides=MerchantRepository)
    payments = provide(SqlPaymentRepository, provides=PaymentRepository)
    refunds = provide(SqlRefundRepository, provides=RefundRepository)
    ledger = provide(SqlLedgerRepository, provides=LedgerRepository)
    settlements = provide(SqlSettlementRepository, provides=SettlementRepository)
    checks = provide(SqlLedgerChecks, provides=LedgerChecks)
    idempotency_store = provide(SqlIdempotencyStore, provides=IdempotencyStore)
    payouts = provide(DemoPayouts, provides=Payouts)

    access = provide(MerchantAccess)
    recorder = provide(Recorder)
    merchant_service = provide(MerchantService)
    payment_service = provide(PaymentService)
    refund_service = provide(RefundService)
    settlement_service = provide(SettlementService)
    recovery = provide(RecoveryService)
    verifier = provide(LedgerVerifier)

    @provide
    def fees(self, settings: Settings) -> FeeSchedule:
        return FeeSchedule(bps=settings.fee_bps, fixed=settings.fee_fixed)

    @provide
    def idempotency(
        self,
        store: IdempotencyStore,
        clock: Clock,
        ids: IdGenerator,
        settings: Settings,
        metrics: OperationsMetrics,
    ) -> IdempotencyService:
        return IdempotencyService(
            store, clock, ids, ttl_seconds=settings.idempotency_ttl, metrics=metrics
        )
