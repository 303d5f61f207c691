"""Crash injection at every step boundary of every money workflow, then recovery and retry.

A ``FaultyExecutor`` (wired through the container in place of the store) fails the Nth
statement of a request, either before it runs or after it ran (outcome unknown). After each
crash: recovery runs, the client retries with the same Idempotency-Key, and the answer must
be consistent (the same resource, moved at most once), every ledger invariant must hold and
every state change must have exactly one event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar

from adapters.payouts.demo import DemoPayouts
from core.services.ledger_verification import LedgerVerifier
from core.services.recovery import RecoveryService
from entrypoints.http.app import create_app
from entrypoints.providers.stores import build_executor
from ports.payouts import Payouts
from ports.sql import SqlExecutor
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider, override
from tests.payments_support import FaultyExecutor, http_client, key

pytestmark = pytest.mark.anyio

USER = "usr_00000000000000000000000001"


@dataclass
class World:
    app: Litestar
    client: httpx.AsyncClient
    faulty: FaultyExecutor
    system: FakeSystemProvider
    payouts: DemoPayouts
    headers: dict[str, str]
    merchant: str = ""
    round: int = 0
    settings: Any = None

    async def new_merchant(self) -> None:
        """Each round runs on a fresh merchant with fresh keys, in the same store."""
        self.round += 1
        # The fake clock moves forward every round: mint a token valid at its current time.
        self.headers = auth_headers(self.settings, user_id=USER, clock=self.system.fake_clock)
        created = await self.client.post(
            "/v1/merchants", json={"name": "M", "default_currency": "USD"}, headers=self.headers
        )
        self.merchant = created.json()["id"]

    async def pay(self, name: str, **body: Any) -> Any:
        return await self.client.post(
            f"/v1/merchants/{self.merchant}/payments",
            json={"amount": 10_000, "currency": "USD", **body},
            headers={**self.headers, **key(f"{name}-{self.round}")},
        )

    async def post(self, path: str, body: Any, name: str) -> Any:
        return await self.client.post(
            f"/v1/merchants/{self.merchant}{path}",
            json=body,
            headers={**self.headers, **key(f"{name}-{self.round}")},
        )

    async def sql(self, text: str, *params: Any) -> list[tuple[Any, ...]]:
        return list((await self.faulty.inner.execute(text, params)).rows)


@asynccontextmanager
async def open_world(sql_url: str) -> AsyncIterator[World]:
    settings = make_settings(sql_url)
    faulty = FaultyExecutor(build_executor(settings))
    system = FakeSystemProvider()
    payouts = DemoPayouts()
    app = create_app(settings, system, override(SqlExecutor, faulty), override(Payouts, payouts))
    # Served on loopback in this loop (injected crashes are logged as unhandled errors: the
    # server captures the logs instead of rendering a rich traceback for each).
    async with http_client(app) as client:
        world = World(app, client, faulty, system, payouts, {}, settings=settings)
        await world.new_merchant()
        yield world


async def recover_and_verify(world: World) -> None:
    world.system.fake_clock.advance(120)  # past the idempotency lease and the recovery grace
    container = world.app.state.dishka_container
    await (await container.get(RecoveryService)).run()
    assert await (await container.get(LedgerVerifier)).verify() == []


async def events_for(world: World, object_id: str) -> list[str]:
    rows = await world.sql(
        "SELECT type FROM events WHERE id LIKE ? ORDER BY type", f"evt_{object_id}_%"
    )
    return [str(r[0]) for r in rows]


Setup = Callable[[World], Awaitable[dict[str, Any]]]
Act = Callable[[World, dict[str, Any]], Awaitable[Any]]
Check = Callable[[World, dict[str, Any], Any], Awaitable[None]]


async def no_setup(world: World) -> dict[str, Any]:
    return {}


async def authorized(world: World) -> dict[str, Any]:
    return {"pid": (await world.pay("setup", capture=False)).json()["id"]}


async def captured(world: World) -> dict[str, Any]:
    return {"pid": (await world.pay("setup")).json()["id"]}


async def create_capture(world: World, ctx: dict[str, Any]) -> Any:
    return await world.pay("op")


async def create_authorize(world: World, ctx: dict[str, Any]) -> Any:
    return await world.pay("op", capture=False)


async def capture(world: World, ctx: dict[str, Any]) -> Any:
    return await world.post(f"/payments/{ctx['pid']}/capture", {"amount": 7_000}, "op")


async def void(world: World, ctx: dict[str, Any]) -> Any:
    return await world.post(f"/payments/{ctx['pid']}/void", None, "op")


async def refund(world: World, ctx: dict[str, Any]) -> Any:
    return await world.post(f"/payments/{ctx['pid']}/refunds", {"amount": 4_000}, "op")


async def settle(world: World, ctx: dict[str, Any]) -> Any:
    return await world.post("/settlements", {"currency": "USD"}, "op")


async def check_create(world: World, ctx: dict[str, Any], response: Any) -> None:
    assert response.status_code == 201
    body = response.json()
    rows = await world.sql(
        "SELECT id, status FROM payments WHERE merchant_id = ? AND id != ?",
        world.merchant,
        ctx.get("pid", ""),
    )
    assert [(r[0], r[1]) for r in rows] == [(body["id"], body["status"])]
    assert body["status"] in ("captured", "authorized", "failed")
    types = await events_for(world, body["id"])
    expected = {
        "captured": ["payment.authorized", "payment.captured"],
        "authorized": ["payment.authorized"],
        "failed": ["payment.failed"],
    }[body["status"]]
    assert types == expected


async def check_capture(world: World, ctx: dict[str, Any], response: Any) -> None:
    assert response.status_code == 200
    assert response.json()["captured_amount"] == 7_000
    transfers = await world.sql(
        "SELECT kind, amount FROM ledger_transfers WHERE payment_id = ? ORDER BY kind", ctx["pid"]
    )
    assert [(r[0], r[1]) for r in transfers] == [("capture", 7_000), ("fee", 233)]
    assert await events_for(world, ctx["pid"]) == ["payment.authorized", "payment.captured"]


async def check_void(world: World, ctx: dict[str, Any], response: Any) -> None:
    assert response.status_code == 200
    assert response.json()["status"] == "voided"
    assert await events_for(world, ctx["pid"]) == ["payment.authorized", "payment.voided"]


async def check_refund(world: World, ctx: dict[str, Any], response: Any) -> None:
    rows = await world.sql("SELECT id, status FROM refunds WHERE merchant_id = ?", world.merchant)
    payment = (await world.sql("SELECT refunded_amount FROM payments WHERE id = ?", ctx["pid"]))[0]
    if response.status_code == 201:
        assert [(r[0], r[1]) for r in rows] == [(response.json()["id"], "succeeded")]
        assert payment[0] == 4_000
        assert await events_for(world, response.json()["id"]) == ["refund.created"]
    else:
        # Recovery abandoned a refund the crash stopped before it touched the payment.
        assert response.status_code == 409
        assert response.json()["code"] == "refund_failed"
        assert [r[1] for r in rows] == ["failed"]
        assert payment[0] == 0


async def check_settle(world: World, ctx: dict[str, Any], response: Any) -> None:
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "paid"
    assert body["amount"] == 9_680
    rows = await world.sql(
        "SELECT id, stage FROM settlements WHERE merchant_id = ? AND stage != 'cancelled'",
        world.merchant,
    )
    assert [(r[0], r[1]) for r in rows] == [(body["id"], "done")]
    paid = [
        o.settlement_id for o in world.payouts.orders.values() if o.merchant_id == world.merchant
    ]
    assert paid == [body["id"]]
    assert await events_for(world, body["id"]) == ["settlement.paid"]


WORKFLOWS: dict[str, tuple[Setup, Act, Check]] = {
    "create_capture": (no_setup, create_capture, check_create),
    "create_authorize": (no_setup, create_authorize, check_create),
    "capture": (authorized, capture, check_capture),
    "void": (authorized, void, check_void),
    "refund": (captured, refund, check_refund),
    "settle": (captured, settle, check_settle),
}


@pytest.mark.parametrize("after", [False, True], ids=["dies-before", "dies-after"])
@pytest.mark.parametrize("workflow", sorted(WORKFLOWS))
async def test_a_crash_at_any_statement_is_recovered_and_the_retry_is_consistent(
    sql_url: str, workflow: str, after: bool
) -> None:
    setup, act, check = WORKFLOWS[workflow]
    crashes = 0
    async with open_world(sql_url) as world:
        for n in range(1, 60):
            await world.new_merchant()
            ctx = await setup(world)
            world.faulty.arm(n, after=after)
            response = await act(world, ctx)
            world.faulty.disarm()
            if not world.faulty.fired:
                await check(world, ctx, response)
                await recover_and_verify(world)
                assert crashes >= 5, "the workflow should have several step boundaries"
                return
            crashes += 1
            assert response.status_code >= 500, (n, response.text)
            await recover_and_verify(world)
            retried = await act(world, ctx)
            await check(world, ctx, retried)
            replay = await act(world, ctx)
            assert replay.content == retried.content
            assert replay.headers["idempotent-replayed"] == "true"
            await recover_and_verify(world)
    pytest.fail("the workflow never completed without a crash")


async def test_a_refused_payout_fails_the_settlement_and_reverses_its_transfer(
    sql_url: str,
) -> None:
    async with open_world(sql_url) as world:
        await world.pay("p1")
        world.payouts.refuse = True
        failed = await world.post("/settlements", {"currency": "USD"}, "s1")
        assert failed.status_code == 201
        assert failed.json()["status"] == "failed"
        assert failed.json()["paid_at"] is None
        kinds = await world.sql(
            "SELECT kind FROM ledger_transfers WHERE settlement_id IS NULL OR kind LIKE 'settle%'"
            " ORDER BY kind"
        )
        assert [k[0] for k in kinds] == ["settlement", "settlement_reversal"]
        assert await events_for(world, failed.json()["id"]) == ["settlement.failed"]
        await recover_and_verify(world)
        # The reversed money is settled by the next run.
        world.payouts.refuse = False
        again = await world.post("/settlements", {"currency": "USD"}, "s2")
        assert again.json()["status"] == "paid"
        assert again.json()["amount"] == failed.json()["amount"]
        await recover_and_verify(world)


async def test_an_unreachable_payout_rail_leaves_the_settlement_pending_for_recovery(
    sql_url: str,
) -> None:
    async with open_world(sql_url) as world:
        await world.pay("p1")
        world.payouts.unreachable = True
        pending = await world.post("/settlements", {"currency": "USD"}, "s1")
        assert pending.status_code == 201
        assert pending.json()["status"] == "pending"
        world.payouts.unreachable = False
        await recover_and_verify(world)
        sid = pending.json()["id"]
        shown = await world.client.get(
            f"/v1/merchants/{world.merchant}/settlements/{sid}", headers=world.headers
        )
        assert shown.json()["status"] == "paid"
        assert await events_for(world, sid) == ["settlement.paid"]


async def test_recovery_writes_every_event_a_crash_left_unwritten_with_the_same_data(
    sql_url: str,
) -> None:
    async with open_world(sql_url) as world:
        captured = (await world.pay("p1")).json()
        pid = captured["id"]
        refund = (await world.post(f"/payments/{pid}/refunds", {"amount": 100}, "r1")).json()
        voided_id = (await world.pay("p2", capture=False)).json()["id"]
        await world.post(f"/payments/{voided_id}/void", None, "v1")
        settled = (await world.post("/settlements", {"currency": "USD"}, "s1")).json()
        before = await world.sql("SELECT id, type, data FROM events ORDER BY id")
        assert len(before) == 6
        await world.faulty.inner.execute("DELETE FROM events")
        world.system.fake_clock.advance(3600)
        container = world.app.state.dishka_container
        report = await (await container.get(RecoveryService)).run()
        assert {a[0] for a in report.actions} == {pid, voided_id, refund["id"], settled["id"]}
        after = await world.sql("SELECT id, type, data FROM events ORDER BY id")
        assert after == before
