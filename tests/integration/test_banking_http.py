"""The demo flow of API.md over HTTP, every filter, isolation, errors and the token vault."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from structlog.testing import capture_logs

from core.domain.banking import (
    BankProviderError,
    BankProviderRateLimited,
    ConnectionRequiresRelink,
)
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from ports.bank_aggregation import BankAggregators
from ports.sql import SqlExecutor
from tests.auth import auth_headers
from tests.banking_fakes import SECRET_TOKEN, ScriptedBank, registry
from tests.fakes import FakeSystemProvider, override

pytestmark = pytest.mark.anyio

ALICE = "usr_00000000000000000000000001"
MALLORY = "usr_00000000000000000000000666"


@pytest.fixture
def alice(settings: Settings) -> dict[str, str]:
    return auth_headers(settings, user_id=ALICE)


@pytest.fixture
def mallory(settings: Settings) -> dict[str, str]:
    return auth_headers(settings, user_id=MALLORY)


async def link_demo(
    client: AsyncTestClient[Litestar],
    headers: dict[str, str],
    public_token: str = "demo-alice",  # noqa: S107
) -> str:
    link = await client.post("/v1/banking/link", json={}, headers=headers)
    assert link.status_code == 200
    assert link.json()["provider"] == "demo"
    assert link.json()["link_token"]
    response = await client.post(
        "/v1/banking/exchange", json={"public_token": public_token}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "provider", "institution_name", "status", "created_at"}
    return str(body["id"])


async def all_transactions(client, headers, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        r = await client.get(
            "/v1/banking/transactions",
            params={**params, "page": page, "page_size": 200},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        items.extend(r.json()["items"])
        if r.json()["next_cursor"] is None:
            return items
        page += 1


async def test_the_demo_flow_end_to_end(client, alice) -> None:
    connection_id = await link_demo(client, alice)
    connections = (await client.get("/v1/banking/connections", headers=alice)).json()["items"]
    assert [c["id"] for c in connections] == [connection_id]
    accounts = (await client.get("/v1/banking/accounts", headers=alice)).json()["items"]
    assert [a["subtype"] for a in accounts] == ["checking", "savings", "credit_card"]
    assert set(accounts[0]) == {
        "id", "connection_id", "name", "official_name", "type", "subtype", "mask", "currency",
        "balance_current", "balance_available", "institution_name",
    }  # fmt: skip
    Decimal(accounts[0]["balance_current"])  # a decimal string
    page = (await client.get("/v1/banking/transactions", headers=alice)).json()
    assert page["page"] == 1
    assert page["page_size"] == 50
    assert page["total"] >= 200
    assert page["next_cursor"] == "2"
    assert len(page["items"]) == 50
    first = page["items"][0]
    assert set(first) == {
        "id", "account_id", "amount", "currency", "date", "description", "merchant_name",
        "category", "pending",
    }  # fmt: skip
    dates = [t["date"] for t in page["items"]]
    assert dates == sorted(dates, reverse=True)
    balances = (await client.get("/v1/banking/balances", headers=alice)).json()["items"]
    assert {b["account_id"] for b in balances} == {a["id"] for a in accounts}
    identity = await client.get(
        f"/v1/banking/identity?connection_id={connection_id}", headers=alice
    )
    assert identity.status_code == 200
    assert set(identity.json()["owners"][0]) == {"names", "emails", "phone_numbers", "addresses"}
    snap = await client.post("/v1/banking/balance-snapshots", json={}, headers=alice)
    assert snap.status_code == 201
    history = await client.get(
        "/v1/banking/balance-history", params={"account_id": accounts[0]["id"]}, headers=alice
    )
    assert history.json() == {
        "account_id": accounts[0]["id"],
        "history": [
            {"date": "2026-01-31", "balance": accounts[0]["balance_current"], "currency": "USD"}
        ],
        "count": 1,
    }
    assert (
        await client.delete(f"/v1/banking/connections/{connection_id}", headers=alice)
    ).status_code == 204
    assert (await client.get("/v1/banking/connections", headers=alice)).json()["items"] == []


async def test_the_same_public_token_yields_the_same_transactions(client, alice, settings) -> None:
    await link_demo(client, alice, "demo-same")
    bob = auth_headers(settings, user_id="usr_00000000000000000000000002")
    await link_demo(client, bob, "demo-same")
    mine = await all_transactions(client, alice)
    theirs = await all_transactions(client, bob)

    def strip(ts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        # Ids are per connection (opaque); the data behind them must be identical.
        return sorted(
            tuple(v for k, v in sorted(t.items()) if k not in ("id", "account_id")) for t in ts
        )

    assert strip(mine) == strip(theirs)


async def test_every_filter_narrows_as_documented(client, alice) -> None:
    connection_id = await link_demo(client, alice)
    everything = await all_transactions(client, alice)
    account = everything[0]["account_id"]

    by_connection = await all_transactions(client, alice, connection_id=connection_id)
    assert len(by_connection) == len(everything)
    by_account = await all_transactions(client, alice, account_id=account)
    assert by_account
    assert {t["account_id"] for t in by_account} == {account}
    window = await all_transactions(client, alice, start_date="2026-01-01", end_date="2026-01-15")
    assert window
    assert all("2026-01-01" <= t["date"] <= "2026-01-15" for t in window)
    big = await all_transactions(client, alice, min_amount="100", max_amount="300")
    assert big
    assert all(Decimal("100") <= abs(Decimal(t["amount"])) <= Decimal("300") for t in big)
    assert any(Decimal(t["amount"]) < 0 for t in big)
    star = await all_transactions(client, alice, merchant_name="sTaRbUcKs")
    assert star
    assert {t["merchant_name"] for t in star} == {"Starbucks"}
    dining = await all_transactions(client, alice, category="dining")
    assert dining
    assert {t["category"] for t in dining} == {"dining"}
    assert await all_transactions(client, alice, category="Dining") == []
    settled = await all_transactions(client, alice, exclude_pending="true")
    assert any(t["pending"] for t in everything)
    assert not any(t["pending"] for t in settled)
    assert len(settled) == len([t for t in everything if not t["pending"]])

    by_amount = await all_transactions(client, alice, sort_by="amount", sort_order="asc")
    amounts = [Decimal(t["amount"]) for t in by_amount]
    assert amounts == sorted(amounts)
    by_merchant = await all_transactions(client, alice, sort_by="merchant", sort_order="desc")
    names = [(t["merchant_name"] or "").casefold() for t in by_merchant]
    assert names == sorted(names, reverse=True)
    oldest = await all_transactions(client, alice, sort_by="date", sort_order="asc")
    assert [t["date"] for t in oldest] == sorted(t["date"] for t in everything)

    combined = await all_transactions(
        client,
        alice,
        category="groceries",
        exclude_pending="true",
        min_amount="20",
        sort_by="amount",
    )
    assert all(
        t["category"] == "groceries" and not t["pending"] and abs(Decimal(t["amount"])) >= 20
        for t in combined
    )

    page2 = await client.get(
        "/v1/banking/transactions", params={"page": 2, "page_size": 7}, headers=alice
    )
    via_cursor = await client.get(
        "/v1/banking/transactions", params={"cursor": "2", "page_size": 7}, headers=alice
    )
    assert page2.json()["items"] == everything[7:14]
    assert via_cursor.json()["items"] == everything[7:14]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-02-01", "end_date": "2026-01-01"},
        {"page": "0"},
        {"page_size": "201"},
        {"page_size": "0"},
        {"min_amount": "ten"},
        {"max_amount": "-5"},
        {"sort_by": "name"},
        {"sort_order": "up"},
        {"start_date": "31/01/2026"},
    ],
)
async def test_invalid_transaction_queries_are_400(client, alice, params) -> None:
    await link_demo(client, alice)
    response = await client.get("/v1/banking/transactions", params=params, headers=alice)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_exchange_refuses_bad_tokens_and_unknown_fields(client, alice) -> None:
    bad = await client.post("/v1/banking/exchange", json={"public_token": "x"}, headers=alice)
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_public_token"
    extra = await client.post(
        "/v1/banking/exchange", json={"public_token": "demo-1", "user_id": MALLORY}, headers=alice
    )
    assert extra.status_code == 400
    assert extra.json()["code"] == "validation_failed"


async def test_banking_requires_a_bearer_token(client) -> None:
    assert (await client.get("/v1/banking/connections")).status_code == 401
    assert (await client.post("/v1/banking/link", json={})).status_code == 401


async def test_a_user_never_reaches_another_users_connection(client, alice, mallory) -> None:
    connection_id = await link_demo(client, alice)
    accounts = (await client.get("/v1/banking/accounts", headers=alice)).json()["items"]
    for path in ("accounts", "transactions", "balances", "identity"):
        response = await client.get(
            f"/v1/banking/{path}", params={"connection_id": connection_id}, headers=mallory
        )
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    history = await client.get(
        "/v1/banking/balance-history", params={"account_id": accounts[0]["id"]}, headers=mallory
    )
    assert history.status_code == 404
    snap = await client.post(
        "/v1/banking/balance-snapshots", json={"connection_id": connection_id}, headers=mallory
    )
    assert snap.status_code == 404
    delete = await client.delete(f"/v1/banking/connections/{connection_id}", headers=mallory)
    assert delete.status_code == 404
    assert (await client.get("/v1/banking/connections", headers=mallory)).json()["items"] == []
    assert (await client.get("/v1/banking/transactions", headers=mallory)).json()["total"] == 0
    assert len((await client.get("/v1/banking/connections", headers=alice)).json()["items"]) == 1


async def test_snapshots_are_idempotent_per_account_and_day(client, alice) -> None:
    await link_demo(client, alice)
    first = await client.post("/v1/banking/balance-snapshots", json={}, headers=alice)
    second = await client.post("/v1/banking/balance-snapshots", json={}, headers=alice)
    assert first.status_code == second.status_code == 201
    account = first.json()["items"][0]["account_id"]
    history = await client.get(
        "/v1/banking/balance-history", params={"account_id": account}, headers=alice
    )
    assert history.json()["count"] == 1
    empty = await client.get(
        "/v1/banking/balance-history",
        params={"account_id": account, "start_date": "2025-01-01", "end_date": "2025-12-31"},
        headers=alice,
    )
    assert empty.status_code == 200
    assert empty.json()["count"] == 0
    inverted = await client.get(
        "/v1/banking/balance-history",
        params={"account_id": account, "start_date": "2026-02-01", "end_date": "2026-01-01"},
        headers=alice,
    )
    assert inverted.status_code == 400
    unknown = await client.get(
        "/v1/banking/balance-history", params={"account_id": "acc_X"}, headers=alice
    )
    assert unknown.status_code == 404


@pytest.fixture
def scripted() -> ScriptedBank:
    return ScriptedBank()


@pytest.fixture
async def scripted_client(settings, scripted) -> Any:
    app = create_app(settings, FakeSystemProvider(), override(BankAggregators, registry(scripted)))
    async with AsyncTestClient(app=app) as c:
        c.app_ref = app  # type: ignore[attr-defined]
        yield c


async def test_the_access_token_never_leaves_the_server(scripted_client, alice) -> None:
    with capture_logs() as logs:
        created = await scripted_client.post(
            "/v1/banking/exchange", json={"public_token": "good"}, headers=alice
        )
        bodies = [created.text]
        for path in ("connections", "accounts", "transactions", "balances", "identity"):
            bodies.append((await scripted_client.get(f"/v1/banking/{path}", headers=alice)).text)
    assert created.status_code == 201
    assert all(SECRET_TOKEN not in body for body in bodies)
    assert SECRET_TOKEN not in repr(logs)
    container = scripted_client.app_ref.state.dishka_container
    executor = await container.get(SqlExecutor)
    rows = await executor.execute("SELECT * FROM bank_connections")
    assert SECRET_TOKEN not in repr(rows.rows)
    audit = await executor.execute("SELECT action, target, outcome FROM audit_events")
    assert SECRET_TOKEN not in repr(audit.rows)
    assert "Secretname" not in repr(audit.rows)  # identity data is never audited
    assert ("banking.identity.read", created.json()["id"], "success") in audit.rows


async def test_reads_are_served_from_the_cache_while_it_is_fresh(
    scripted_client, scripted, alice
) -> None:
    await scripted_client.post("/v1/banking/exchange", json={"public_token": "good"}, headers=alice)
    for page in (1, 2, 3):
        r = await scripted_client.get(
            "/v1/banking/transactions", params={"page": page, "page_size": 2}, headers=alice
        )
        assert r.status_code == 200
    await scripted_client.get("/v1/banking/accounts", headers=alice)
    assert scripted.calls["transactions"] == 1


async def test_a_relink_error_is_409_and_marks_the_connection(
    scripted_client, scripted, alice
) -> None:
    created = await scripted_client.post(
        "/v1/banking/exchange", json={"public_token": "good"}, headers=alice
    )
    scripted.fail = ConnectionRequiresRelink("login again")
    response = await scripted_client.get("/v1/banking/accounts", headers=alice)
    assert response.status_code == 409
    assert response.json()["code"] == "connection_requires_relink"
    [connection] = (await scripted_client.get("/v1/banking/connections", headers=alice)).json()[
        "items"
    ]
    assert connection["id"] == created.json()["id"]
    assert connection["status"] == "relink_required"


async def test_a_provider_rate_limit_is_503_with_retry_after(
    scripted_client, scripted, alice
) -> None:
    await scripted_client.post("/v1/banking/exchange", json={"public_token": "good"}, headers=alice)
    scripted.fail = BankProviderRateLimited("slow down", retry_after=30)
    response = await scripted_client.get("/v1/banking/transactions", headers=alice)
    assert response.status_code == 503
    assert response.json()["code"] == "provider_rate_limited"
    assert response.headers["retry-after"] == "30"


async def test_a_provider_failure_is_502_without_internals(
    scripted_client, scripted, alice
) -> None:
    await scripted_client.post("/v1/banking/exchange", json={"public_token": "good"}, headers=alice)
    scripted.fail = BankProviderError("The bank provider failed (HTTP 500)")
    response = await scripted_client.get("/v1/banking/balances", headers=alice)
    assert response.status_code == 502
    assert response.json()["code"] == "provider_error"
    assert SECRET_TOKEN not in response.text


async def test_deleting_a_connection_revokes_at_the_provider(
    scripted_client, scripted, alice
) -> None:
    created = await scripted_client.post(
        "/v1/banking/exchange", json={"public_token": "good"}, headers=alice
    )
    response = await scripted_client.delete(
        f"/v1/banking/connections/{created.json()['id']}", headers=alice
    )
    assert response.status_code == 204
    assert scripted.revoked == [SECRET_TOKEN]


async def test_identity_reads_are_audited_including_refused_ones(
    client, alice, mallory, app
) -> None:
    connection_id = await link_demo(client, alice)
    assert (await client.get("/v1/banking/identity", headers=alice)).status_code == 200
    refused = await client.get(
        "/v1/banking/identity", params={"connection_id": connection_id}, headers=mallory
    )
    assert refused.status_code == 404
    executor = await app.state.dishka_container.get(SqlExecutor)
    rows = await executor.execute(
        "SELECT actor_id, target, outcome FROM audit_events WHERE action = ? ORDER BY id",
        ("banking.identity.read",),
    )
    assert rows.rows == ((ALICE, connection_id, "success"), (MALLORY, connection_id, "denied"))
