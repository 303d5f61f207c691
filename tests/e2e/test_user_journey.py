"""One user's journey across the areas, in process: the seams between them, not each area.

Register and log in, link the demo bank, budget against the linked spending, snapshot net
worth from the linked accounts, then take a payment as a merchant and see its event.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.fakes import FakeSystemProvider

pytestmark = pytest.mark.anyio


async def _login(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    credentials = {"email": "journey@example.com", "password": "a long enough passphrase"}
    registered = await client.post("/v1/auth/register", json={**credentials, "name": "Jo"})
    assert registered.status_code == 201
    login = await client.post("/v1/auth/login", json=credentials)
    assert login.status_code == 200
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_linked_bank_data_feeds_budgets_and_net_worth_and_payments_emit_events(
    client: AsyncTestClient[Litestar], system: FakeSystemProvider
) -> None:
    auth = await _login(client)
    me = await client.get("/v1/me", headers=auth)
    assert me.json()["merchants"] == []

    # Before any bank is linked, computed features say so instead of inventing zeros.
    empty = await client.post("/v1/net-worth/snapshots", json={}, headers=auth)
    assert empty.status_code == 409
    assert empty.json()["code"] == "no_linked_accounts"

    assert (await client.post("/v1/banking/link", json={}, headers=auth)).status_code == 200
    exchanged = await client.post(
        "/v1/banking/exchange", json={"public_token": "demo-journey"}, headers=auth
    )
    assert exchanged.status_code == 201

    today = system.fake_clock.now().date()
    start = today - timedelta(days=89)
    txns = await client.get(
        "/v1/banking/transactions",
        params={"start_date": start.isoformat(), "page_size": 200, "category": "groceries"},
        headers=auth,
    )
    assert txns.status_code == 200
    groceries = [t for t in txns.json()["items"] if t["currency"] == "USD"]
    assert groceries, "the demo data set has grocery spending"

    budget = await client.post(
        "/v1/budgets",
        json={
            "name": "Quarter",
            "period_start": start.isoformat(),
            "period_end": today.isoformat(),
            "categories": {"Groceries": 500_00, "Dining": 300_00},
        },
        headers=auth,
    )
    assert budget.status_code == 201
    progress = await client.get(f"/v1/budgets/{budget.json()['id']}/progress", headers=auth)
    assert progress.status_code == 200
    rows = {row["category"]: row for row in progress.json()["categories"]}
    assert rows["Groceries"]["transaction_count"] > 0
    assert rows["Groceries"]["spent"] > 0
    assert progress.json()["total_spent"] >= rows["Groceries"]["spent"]

    snapshot = await client.post("/v1/net-worth/snapshots", json={}, headers=auth)
    assert snapshot.status_code == 201

    merchant = await client.post(
        "/v1/merchants", json={"name": "Jo's Shop", "default_currency": "USD"}, headers=auth
    )
    assert merchant.status_code == 201
    merchant_id = merchant.json()["id"]
    payment = await client.post(
        f"/v1/merchants/{merchant_id}/payments",
        json={"amount": 1999, "currency": "USD", "capture": True},
        headers={**auth, "Idempotency-Key": "journey-1"},
    )
    assert payment.status_code == 201
    assert payment.json()["status"] == "captured"
    events = await client.get(f"/v1/merchants/{merchant_id}/events", headers=auth)
    assert events.status_code == 200
    captured = [e for e in events.json()["items"] if e["type"] == "payment.captured"]
    assert len(captured) == 1
    assert captured[0]["data"] == payment.json()
    balance = await client.get(f"/v1/merchants/{merchant_id}/balance", headers=auth)
    assert balance.json()["balances"][0]["available"] == 1999 - payment.json()["fee_amount"]
