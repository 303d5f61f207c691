"""Random sequences of create, capture, void, refund and settle, with duplicate keys and
injected crashes; every invariant is checked after every step and after every recovery.

Driven through the same idempotency service the HTTP layer uses, against the store from
the ``sql_url`` fixture (each example works on its own merchant in one store).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog.testing
from anyio.from_thread import BlockingPortal, start_blocking_portal
from dishka import AsyncContainer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from adapters.payouts.demo import DemoPayouts
from adapters.sql.migrator import Migrator
from core.domain.errors import DomainError, ValidationFailed
from core.domain.identity import Principal
from core.domain.payments import payment_view, refund_view
from core.domain.settlements import settlement_view
from core.services.idempotency import IdempotencyService, Outcome
from core.services.ledger_verification import LedgerVerifier
from core.services.merchants import MerchantService
from core.services.payments import PaymentService
from core.services.recovery import RecoveryService
from core.services.refunds import RefundService
from core.services.settlements import SettlementService
from entrypoints.container import create_container
from entrypoints.providers.stores import build_executor
from ports.idempotency import StoredResponse
from ports.payouts import Payouts
from ports.sql import SqlError, SqlExecutor
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider, override
from tests.payments_support import FaultyExecutor

OWNER = Principal(user_id="usr_00000000000000000000000001")


@dataclass
class Harness:
    container: AsyncContainer
    faulty: FaultyExecutor
    system: FakeSystemProvider
    payouts: DemoPayouts
    merchants: MerchantService
    payments: PaymentService
    refunds: RefundService
    settlements: SettlementService
    idempotency: IdempotencyService
    recovery: RecoveryService
    verifier: LedgerVerifier
    examples: int = 0


async def build(sql_url: str) -> Harness:
    config = make_settings(sql_url)
    faulty = FaultyExecutor(build_executor(config))
    system = FakeSystemProvider()
    payouts = DemoPayouts()
    container = create_container(
        config, system, override(SqlExecutor, faulty), override(Payouts, payouts)
    )
    await (await container.get(Migrator)).migrate()
    return Harness(
        container=container,
        faulty=faulty,
        system=system,
        payouts=payouts,
        merchants=await container.get(MerchantService),
        payments=await container.get(PaymentService),
        refunds=await container.get(RefundService),
        settlements=await container.get(SettlementService),
        idempotency=await container.get(IdempotencyService),
        recovery=await container.get(RecoveryService),
        verifier=await container.get(LedgerVerifier),
    )


@dataclass
class Call:
    """One money-moving request: replaying it with its key must answer the same bytes."""

    key: str
    route: str
    body: dict[str, Any]
    prefix: str
    work: Callable[[str], Awaitable[dict[str, Any]]]
    answer: StoredResponse | None = None


@dataclass
class Model:
    merchant: str = ""
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)


class PaymentsMachine(RuleBasedStateMachine):
    portal: BlockingPortal
    harness: Harness

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.counter = 0

    def run(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return self.portal.call(fn, *args)

    async def _execute(self, call: Call) -> tuple[StoredResponse, bool]:
        async def operation(operation_id: str) -> Outcome:
            try:
                view = await call.work(operation_id)
            except ValidationFailed:
                raise
            except DomainError as exc:
                problem = json.dumps({"code": exc.code}).encode()
                return Outcome(StoredResponse(409, "application/problem+json", problem))
            return Outcome(StoredResponse(200, "application/json", json.dumps(view).encode()))

        return await self.harness.idempotency.run(
            principal_id=OWNER.user_id,
            method="POST",
            route=call.route,
            key=call.key,
            fingerprint=json.dumps([call.route, call.body], sort_keys=True),
            operation_prefix=call.prefix,
            operation=operation,
        )

    def submit(self, call: Call) -> dict[str, Any] | None:
        """Run a new call; returns the body on success, None on a stored 4xx answer."""
        self.model.calls.append(call)
        response, replayed = self.run(self._execute, call)
        assert not replayed
        call.answer = response
        return self.absorb(response)

    def absorb(self, response: StoredResponse) -> dict[str, Any] | None:
        body: dict[str, Any] = json.loads(response.body)
        if response.status != 200:
            return None
        if str(body.get("id", "")).startswith("pay_"):
            self.model.payments[body["id"]] = body
        return body

    def new_key(self) -> str:
        self.counter += 1
        return f"k{self.harness.examples}-{self.counter}"

    # -- setup -----------------------------------------------------------------------------

    @initialize()
    def open_merchant(self) -> None:
        self.harness.examples += 1
        self.harness.system.fake_clock.advance(3600)
        merchants = self.harness.merchants

        async def create() -> Any:
            return await merchants.create(OWNER, name="Shop", default_currency="USD")

        merchant = self.run(create)
        self.model.merchant = merchant.id

    # -- operations ------------------------------------------------------------------------

    def create_call(self, amount: int, capture: bool) -> Call:
        mid = self.model.merchant

        async def work(op: str) -> dict[str, Any]:
            payment = await self.harness.payments.create(
                OWNER, mid, amount=amount, currency="USD", capture=capture, payment_id=op
            )
            return payment_view(payment)

        return Call(self.new_key(), "create", {"amount": amount, "capture": capture}, "pay", work)

    def capture_call(self, pid: str, amount: int | None) -> Call:
        mid = self.model.merchant

        async def work(op: str) -> dict[str, Any]:
            payment = await self.harness.payments.capture(
                OWNER, mid, pid, amount=amount, operation_id=op
            )
            return payment_view(payment)

        return Call(self.new_key(), f"capture {pid}", {"amount": amount}, "req", work)

    def void_call(self, pid: str) -> Call:
        mid = self.model.merchant

        async def work(op: str) -> dict[str, Any]:
            return payment_view(await self.harness.payments.void(OWNER, mid, pid, operation_id=op))

        return Call(self.new_key(), f"void {pid}", {}, "req", work)

    def refund_call(self, pid: str, amount: int) -> Call:
        mid = self.model.merchant

        async def work(op: str) -> dict[str, Any]:
            refund = await self.harness.refunds.refund(OWNER, mid, pid, amount=amount, refund_id=op)
            return refund_view(refund)

        return Call(self.new_key(), f"refund {pid}", {"amount": amount}, "ref", work)

    def settle_call(self) -> Call:
        mid = self.model.merchant

        async def work(op: str) -> dict[str, Any]:
            found = await self.harness.settlements.create(
                OWNER, mid, currency="USD", settlement_id=op
            )
            return settlement_view(found)

        return Call(self.new_key(), "settle", {"currency": "USD"}, "stl", work)

    def pick(self, data: st.DataObject) -> str | None:
        if not self.model.payments:
            return None
        return data.draw(st.sampled_from(sorted(self.model.payments)))

    @rule(amount=st.integers(1, 50_000), capture=st.booleans())
    def create(self, amount: int, capture: bool) -> None:
        body = self.submit(self.create_call(amount, capture))
        assert body is not None
        assert body["status"] == ("captured" if capture else "authorized")

    @rule(data=st.data(), part=st.sampled_from([None, 1, 2]))
    def capture(self, data: st.DataObject, part: int | None) -> None:
        pid = self.pick(data)
        if pid is None:
            return
        before = self.model.payments[pid]
        amount = None if part is None else max(1, before["amount"] // (part + 1))
        body = self.submit(self.capture_call(pid, amount))
        assert (body is not None) == (before["status"] == "authorized")

    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        pid = self.pick(data)
        if pid is None:
            return
        before = self.model.payments[pid]
        body = self.submit(self.void_call(pid))
        assert (body is not None) == (before["status"] == "authorized")

    @rule(data=st.data(), share=st.floats(0.05, 1.2))
    def refund(self, data: st.DataObject, share: float) -> None:
        pid = self.pick(data)
        if pid is None:
            return
        before = self.model.payments[pid]
        amount = max(1, int(before["amount"] * share))
        body = self.submit(self.refund_call(pid, amount))
        refundable = before["captured_amount"] - before["refunded_amount"]
        can = before["status"] in ("captured", "partially_refunded") and amount <= refundable
        assert (body is not None) == can
        if body is not None:
            before["refunded_amount"] += amount

    @rule()
    def settle(self) -> None:
        self.submit(self.settle_call())

    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """The same key and request again: the stored answer, byte for byte, no new effect."""
        done = [c for c in self.model.calls if c.answer is not None]
        if not done:
            return
        call = data.draw(st.sampled_from(done))
        response, replayed = self.run(self._execute, call)
        assert replayed
        assert response == call.answer

    @rule(
        data=st.data(),
        kind=st.sampled_from(["create", "capture", "refund", "settle", "void"]),
        n=st.integers(1, 25),
        after=st.booleans(),
    )
    def crash(self, data: st.DataObject, kind: str, n: int, after: bool) -> None:
        """The Nth statement of a request fails; recovery runs; the client retries."""
        pid = self.pick(data)
        if kind == "create" or pid is None:
            call = self.create_call(data.draw(st.integers(1, 50_000)), data.draw(st.booleans()))
        elif kind == "capture":
            call = self.capture_call(pid, None)
        elif kind == "refund":
            call = self.refund_call(pid, max(1, self.model.payments[pid]["amount"] // 3))
        elif kind == "void":
            call = self.void_call(pid)
        else:
            call = self.settle_call()
        self.model.calls.append(call)
        self.harness.faulty.arm(n, after=after)
        try:
            first: tuple[StoredResponse, bool] | None = self.run(self._execute, call)
        except SqlError:
            first = None
        finally:
            self.harness.faulty.disarm()
        self.recover()
        retried, replayed = self.run(self._execute, call)
        if first is not None:
            assert replayed
            assert retried == first[0]
        call.answer = retried
        self.absorb(retried)
        self.resync()

    def recover(self) -> None:
        self.harness.system.fake_clock.advance(120)
        self.run(self.harness.recovery.run)

    def resync(self) -> None:
        """Crashes may finish or fail payments behind the model's back: read them again."""
        for pid in list(self.model.payments):
            payment = self.run(self.harness.payments.get, OWNER, self.model.merchant, pid)
            self.model.payments[pid] = payment_view(payment)

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def ledger_invariants_hold(self) -> None:
        if not self.model.merchant:
            return
        assert self.run(self.harness.verifier.verify) == []

    @invariant()
    def refunds_never_exceed_captures(self) -> None:
        for p in self.model.payments.values():
            assert 0 <= p["refunded_amount"] <= p["captured_amount"] <= p["amount"]

    def teardown(self) -> None:
        self.recover()
        assert self.run(self.harness.verifier.verify) == []


def test_random_operation_sequences_keep_every_invariant(sql_url: str) -> None:
    with structlog.testing.capture_logs(), start_blocking_portal() as portal:
        harness = portal.call(build, sql_url)
        PaymentsMachine.portal = portal
        PaymentsMachine.harness = harness
        try:
            run_state_machine_as_test(
                PaymentsMachine,
                settings=settings(
                    max_examples=30,
                    stateful_step_count=25,
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow],
                    database=None,
                ),
            )
        finally:
            portal.call(harness.container.close)
