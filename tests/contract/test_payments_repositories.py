"""The payments repositories behave the same on every store: conditional updates decide
races, repeated steps change nothing, sums come back as integers."""

from __future__ import annotations

import pytest

from adapters.sql.idempotency import SqlIdempotencyStore
from adapters.sql.ledger import SqlLedgerRepository
from adapters.sql.migrator import Migrator
from adapters.sql.payments import SqlPaymentRepository, SqlRefundRepository
from adapters.sql.settlements import SqlSettlementRepository
from core.domain.ledger import TransferKind
from core.domain.payments import (
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    capture_transfers,
    refund_transfer,
)
from core.domain.settlements import (
    Settlement,
    SettlementStage,
    SettlementStatus,
    settlement_transfer,
)
from ports.idempotency import KeyRecord, StoredResponse
from ports.sql import SqlExecutor

pytestmark = pytest.mark.anyio

T0 = "2026-01-31T12:00:00.000000Z"
T1 = "2026-01-31T12:01:00.000000Z"


@pytest.fixture
async def store(executor: SqlExecutor) -> SqlExecutor:
    await Migrator(executor).migrate()
    return executor


def pending(pid: str = "pay_1", amount: int = 10_000) -> Payment:
    return Payment(
        id=pid,
        merchant_id="mer_1",
        amount=amount,
        currency="USD",
        status=PaymentStatus.PENDING,
        captured_amount=0,
        refunded_amount=0,
        fee_amount=0,
        description="naïve ☕",
        reference=None,
        capture_requested=True,
        created_at=T0,
        updated_at=T0,
    )


def refund(rid: str, amount: int, pid: str = "pay_1") -> Refund:
    return Refund(
        id=rid,
        payment_id=pid,
        merchant_id="mer_1",
        amount=amount,
        currency="USD",
        status=RefundStatus.PENDING,
        reason=None,
        created_at=T1,
        updated_at=T1,
    )


async def captured(store: SqlExecutor, pid: str = "pay_1", amount: int = 10_000) -> Payment:
    payments = SqlPaymentRepository(store)
    assert await payments.insert(pending(pid, amount))
    assert await payments.capture(
        pid, from_status=PaymentStatus.PENDING, amount=amount, fee=320, at=T0, decided_by=pid
    )
    found = await payments.get(pid)
    assert found is not None
    await SqlLedgerRepository(store).post(capture_transfers(found))
    return found


async def test_a_payment_row_round_trips_and_inserting_it_twice_is_refused_quietly(
    store: SqlExecutor,
) -> None:
    payments = SqlPaymentRepository(store)
    assert await payments.insert(pending()) is True
    assert await payments.insert(pending()) is False
    assert await payments.get("pay_1") == pending()


async def test_only_one_of_two_competing_state_changes_wins(store: SqlExecutor) -> None:
    payments = SqlPaymentRepository(store)
    await payments.insert(pending())
    assert await payments.authorize("pay_1", T0) is True
    assert await payments.capture(
        "pay_1", from_status=PaymentStatus.AUTHORIZED, amount=5, fee=1, at=T1, decided_by="a"
    )
    assert not await payments.void("pay_1", T1, "b")
    assert not await payments.capture(
        "pay_1", from_status=PaymentStatus.AUTHORIZED, amount=7, fee=1, at=T1, decided_by="c"
    )
    found = await payments.get("pay_1")
    assert found is not None
    assert (found.status, found.captured_amount, found.decided_by) == ("captured", 5, "a")


async def test_a_refund_is_applied_once_and_never_beyond_the_captured_amount(
    store: SqlExecutor,
) -> None:
    payments, refunds = SqlPaymentRepository(store), SqlRefundRepository(store)
    await captured(store)
    await refunds.insert(refund("ref_A", 6_000))
    await refunds.insert(refund("ref_B", 6_000))
    assert await payments.apply_refund("pay_1", "ref_A", 6_000, T1) is True
    assert await payments.apply_refund("pay_1", "ref_A", 6_000, T1) is False
    assert await payments.apply_refund("pay_1", "ref_B", 6_000, T1) is False
    assert await refunds.fail_unapplied(refund("ref_A", 6_000), T1) is False
    assert await refunds.fail_unapplied(refund("ref_B", 6_000), T1) is True
    found = await payments.get("pay_1")
    assert found is not None
    assert (found.refunded_amount, found.status) == (6_000, "partially_refunded")
    assert found.has_applied("ref_A")
    assert not found.has_applied("ref_B")


async def test_ledger_posts_are_repeatable_and_balances_are_integer_sums(
    store: SqlExecutor,
) -> None:
    ledger = SqlLedgerRepository(store)
    payment = await captured(store)
    await ledger.post(capture_transfers(payment))
    r = refund("ref_A", 1_000)
    await ledger.post([refund_transfer(r)])
    await ledger.post([refund_transfer(r)])
    [balance] = await ledger.balances("mer_1")
    assert (balance.available, balance.pending, balance.settled) == (8_680, 0, 0)
    assert type(balance.available) is int
    assert await ledger.unsettled("mer_1", "USD") == 8_680
    listed = await ledger.list_for_merchant("mer_1", limit=10, before=None)
    assert len(listed) == 3


async def test_a_settlement_claims_each_transfer_once_and_its_amount_is_fixed_by_the_close(
    store: SqlExecutor,
) -> None:
    ledger, settlements = SqlLedgerRepository(store), SqlSettlementRepository(store)
    await captured(store, "pay_1")
    first = Settlement(
        id="stl_1",
        merchant_id="mer_1",
        currency="USD",
        amount=0,
        status=SettlementStatus.PENDING,
        stage=SettlementStage.CLAIMING,
        payment_count=0,
        created_at=T1,
        updated_at=T1,
        paid_at=None,
    )
    await settlements.insert(first)
    assert await ledger.claim("stl_1", "mer_1", "USD") == 2
    assert await settlements.fix_amount("stl_1", T1) is True
    assert await settlements.fix_amount("stl_1", T1) is False
    closed = await settlements.get("stl_1")
    assert closed is not None
    assert (closed.amount, closed.payment_count, closed.stage) == (9_680, 1, "claimed")
    # Money captured after the close never joins this settlement.
    await captured(store, "pay_2", 1_000)
    assert await ledger.claim("stl_1", "mer_1", "USD") == 0
    await ledger.post([settlement_transfer(closed, TransferKind.SETTLEMENT, T1)])
    assert await ledger.unsettled("mer_1", "USD") == 1_000 - 320
    [balance] = await ledger.balances("mer_1")
    assert (balance.available, balance.pending) == (680, 9_680)


async def test_a_claim_that_nets_nothing_cancels_and_releases(store: SqlExecutor) -> None:
    ledger, settlements = SqlLedgerRepository(store), SqlSettlementRepository(store)
    s = Settlement(
        id="stl_1",
        merchant_id="mer_1",
        currency="USD",
        amount=0,
        status=SettlementStatus.PENDING,
        stage=SettlementStage.CLAIMING,
        payment_count=0,
        created_at=T1,
        updated_at=T1,
        paid_at=None,
    )
    await settlements.insert(s)
    assert await settlements.fix_amount("stl_1", T1)
    found = await settlements.get("stl_1")
    assert found is not None
    assert found.stage == "cancelled"
    assert await settlements.page("mer_1", limit=10, before=None) == []
    assert await ledger.release_cancelled() == 0


async def test_an_idempotency_key_is_reserved_once_and_completed_by_its_holder(
    store: SqlExecutor,
) -> None:
    keys = SqlIdempotencyStore(store)
    record = KeyRecord("scope", "fp", "pay_1", "lease_1", T1, None)
    assert await keys.reserve(record, T0) is None
    rival = KeyRecord("scope", "fp", "pay_2", "lease_2", T1, None)
    held = await keys.reserve(rival, T0)
    assert held is not None
    assert (held.operation_id, held.lease_token, held.response) == ("pay_1", "lease_1", None)
    assert await keys.take_over(held, "lease_3", T1) is True
    assert await keys.take_over(held, "lease_4", T1) is False
    body = StoredResponse(201, "application/json", '{"note":"ünïcode"}'.encode())
    assert await keys.complete("scope", "lease_1", body) is False
    assert await keys.complete("scope", "lease_3", body) is True
    done = await keys.reserve(rival, T0)
    assert done is not None
    assert done.response == body
    assert await keys.purge(T1) == 1
