"""Concurrency over real HTTP: uvicorn serving the app on a loopback port, parallel clients.

The store comes from the ``sql_url`` fixture, so the same tests run on every store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

from core.services.ledger_verification import LedgerVerifier
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.auth import auth_headers
from tests.fakes import FakeSystemProvider
from tests.payments_support import serve

pytestmark = pytest.mark.anyio

OWNER = "usr_00000000000000000000000001"


class Served:
    def __init__(self, base_url: str, app: Any, headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.app = app
        self.headers = headers
        self.merchant = ""

    async def violations(self) -> list[Any]:
        verifier = await self.app.state.dishka_container.get(LedgerVerifier)
        return await verifier.verify()


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[Served]:
    app = create_app(settings, FakeSystemProvider())
    async with serve(app) as base_url:
        served = Served(base_url, app, auth_headers(settings, user_id=OWNER))
        async with httpx.AsyncClient(base_url=base_url, headers=served.headers) as c:
            created = await c.post("/v1/merchants", json={"name": "M", "default_currency": "USD"})
            served.merchant = created.json()["id"]
        yield served


def client(served: Served) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=60)
    return httpx.AsyncClient(
        base_url=served.base_url, headers=served.headers, limits=limits, timeout=30
    )


async def parallel(n: int, send: Any) -> list[httpx.Response]:
    results: list[httpx.Response | None] = [None] * n

    async def one(i: int) -> None:
        results[i] = await send(i)

    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(one, i)
    return [r for r in results if r is not None]


async def test_fifty_parallel_requests_with_one_key_create_one_payment(served: Served) -> None:
    path = f"/v1/merchants/{served.merchant}/payments"
    async with client(served) as c:
        responses = await parallel(
            50,
            lambda _: c.post(
                path,
                json={"amount": 2_500, "currency": "USD"},
                headers={"Idempotency-Key": "one-key"},
            ),
        )
        listed = (await c.get(path)).json()["items"]
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_request_in_progress"
    bodies = {r.content for r in responses if r.status_code == 201}
    assert len(bodies) == 1
    assert len(listed) == 1
    assert listed[0]["status"] == "captured"
    assert await served.violations() == []


async def test_parallel_refunds_never_exceed_the_captured_amount(served: Served) -> None:
    base = f"/v1/merchants/{served.merchant}/payments"
    async with client(served) as c:
        payment = (
            await c.post(
                base,
                json={"amount": 10_000, "currency": "USD"},
                headers={"Idempotency-Key": "pay"},
            )
        ).json()
        responses = await parallel(
            25,
            lambda i: c.post(
                f"{base}/{payment['id']}/refunds",
                json={"amount": 1_000},
                headers={"Idempotency-Key": f"refund-{i}"},
            ),
        )
        after = (await c.get(f"{base}/{payment['id']}")).json()
        refunds = (await c.get(f"{base}/{payment['id']}/refunds")).json()["items"]
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 10, 409: 15}, statuses
    assert after["refunded_amount"] == 10_000
    assert after["status"] == "refunded"
    assert sum(r["amount"] for r in refunds) == 10_000
    assert await served.violations() == []


async def test_two_settlement_runs_never_pay_the_same_money_twice(served: Served) -> None:
    base = f"/v1/merchants/{served.merchant}"
    async with client(served) as c:
        for i in range(5):
            await c.post(
                f"{base}/payments",
                json={"amount": 1_000 * (i + 1), "currency": "USD"},
                headers={"Idempotency-Key": f"pay-{i}"},
            )
        available = (await c.get(f"{base}/balance")).json()["balances"][0]["available"]
        responses = await parallel(
            6,
            lambda i: c.post(
                f"{base}/settlements",
                json={"currency": "USD"},
                headers={"Idempotency-Key": f"settle-{i}"},
            ),
        )
        balance = (await c.get(f"{base}/balance")).json()["balances"][0]
        settlements = (await c.get(f"{base}/settlements")).json()["items"]
    paid = [r.json() for r in responses if r.status_code == 201]
    refused = [r.json()["code"] for r in responses if r.status_code == 409]
    assert len(paid) + len(refused) == 6
    assert set(refused) <= {"nothing_to_settle"}
    assert sum(s["amount"] for s in paid) == available
    assert all(s["status"] == "paid" for s in settlements)
    assert sum(s["amount"] for s in settlements) == available
    assert balance == {"currency": "USD", "available": 0, "pending": 0, "settled": available}
    assert await served.violations() == []


async def test_settling_while_payments_are_captured_counts_each_once(served: Served) -> None:
    base = f"/v1/merchants/{served.merchant}"
    async with client(served) as c:

        async def send(i: int) -> httpx.Response:
            if i % 5 == 4:
                return await c.post(
                    f"{base}/settlements",
                    json={"currency": "USD"},
                    headers={"Idempotency-Key": f"settle-{i}"},
                )
            return await c.post(
                f"{base}/payments",
                json={"amount": 500 + i, "currency": "USD"},
                headers={"Idempotency-Key": f"pay-{i}"},
            )

        await parallel(30, send)
        last = await c.post(
            f"{base}/settlements", json={"currency": "USD"}, headers={"Idempotency-Key": "last"}
        )
        assert last.status_code in (201, 409)
        balance = (await c.get(f"{base}/balance")).json()["balances"][0]
        payments = (await c.get(f"{base}/payments?limit=200")).json()["items"]
    net = sum(p["captured_amount"] - p["fee_amount"] for p in payments)
    assert balance["settled"] == net
    assert balance["available"] == 0
    assert await served.violations() == []
