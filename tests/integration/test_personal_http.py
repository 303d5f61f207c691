"""Budgets, goals and net worth over HTTP: CRUD, soft delete, paging, isolation, bad input."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from ports.linked_finances import LinkedFinances
from tests.auth import auth_headers
from tests.fakes import FakeSystemProvider, override
from tests.personal_fakes import FakeLinkedFinances, checking, credit_card

pytestmark = pytest.mark.anyio

ALICE = "usr_0000000000000000000000ALICE"
BOB = "usr_00000000000000000000000BOB"
JANUARY = {
    "name": "January",
    "period_start": "2026-01-01",
    "period_end": "2026-01-31",
    "categories": {"Groceries": 40_000, "Dining": 15_000},
}


@pytest.fixture
def linked() -> FakeLinkedFinances:
    return FakeLinkedFinances()


@pytest.fixture
def app(settings, system: FakeSystemProvider, linked: FakeLinkedFinances) -> Litestar:
    return create_app(settings, system, override(LinkedFinances, linked))


@pytest.fixture
def alice(settings):
    return auth_headers(settings, user_id=ALICE)


@pytest.fixture
def bob(settings):
    return auth_headers(settings, user_id=BOB)


async def make_budget(client: AsyncTestClient, headers, **changes) -> dict:
    response = await client.post("/v1/budgets", json={**JANUARY, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_every_personal_endpoint_requires_a_token(client) -> None:
    goal = {"name": "Car", "target_amount": 100}
    for method, path, body in [
        ("POST", "/v1/budgets", JANUARY),
        ("GET", "/v1/budgets", None),
        ("GET", "/v1/budgets/bud_1", None),
        ("PATCH", "/v1/budgets/bud_1", {"name": "x"}),
        ("DELETE", "/v1/budgets/bud_1", None),
        ("POST", "/v1/budgets/bud_1/restore", None),
        ("GET", "/v1/budgets/bud_1/progress", None),
        ("POST", "/v1/goals", goal),
        ("GET", "/v1/goals", None),
        ("GET", "/v1/goals/gol_1", None),
        ("POST", "/v1/net-worth/snapshots", {}),
        ("GET", "/v1/net-worth/snapshots", None),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "unauthenticated"


async def test_a_budget_is_created_read_updated_and_listed(client, alice) -> None:
    created = await make_budget(client, alice, rollover=True)
    assert created["id"].startswith("bud_")
    assert created["categories"] == {"Groceries": 40_000, "Dining": 15_000}
    assert created["currency"] == "USD"
    assert created["rollover"] is True
    one = await client.get(f"/v1/budgets/{created['id']}", headers=alice)
    assert one.json() == created
    patched = await client.patch(
        f"/v1/budgets/{created['id']}",
        json={"name": "Jan 2026", "categories": {"Rent": 120_000}},
        headers=alice,
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Jan 2026"
    assert patched.json()["categories"] == {"Rent": 120_000}
    assert patched.json()["period_start"] == "2026-01-01"
    listing = (await client.get("/v1/budgets", headers=alice)).json()
    assert listing["total"] == 1
    assert listing["items"][0]["name"] == "Jan 2026"
    assert listing["page"] == 1
    assert listing["page_size"] == 50
    assert listing["next_cursor"] is None


async def test_soft_delete_hides_a_budget_until_it_is_restored(client, alice) -> None:
    budget = await make_budget(client, alice)
    path = f"/v1/budgets/{budget['id']}"
    assert (await client.delete(path, headers=alice)).status_code == 204
    assert (await client.get(path, headers=alice)).status_code == 404
    assert (await client.delete(path, headers=alice)).status_code == 404
    assert (await client.patch(path, json={"name": "x"}, headers=alice)).status_code == 404
    deleted = await client.get(f"{path}?include_deleted=true", headers=alice)
    assert deleted.status_code == 200
    assert deleted.json()["deleted_at"] is not None
    assert (await client.get("/v1/budgets", headers=alice)).json()["total"] == 0
    listed = await client.get("/v1/budgets?include_deleted=true", headers=alice)
    assert listed.json()["total"] == 1
    restored = await client.post(f"{path}/restore", headers=alice)
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert (await client.get(path, headers=alice)).status_code == 200


async def test_another_users_budget_is_404_for_every_verb(client, alice, bob) -> None:
    budget = await make_budget(client, alice)
    path = f"/v1/budgets/{budget['id']}"
    assert (await client.get(path, headers=bob)).status_code == 404
    assert (await client.get(f"{path}?include_deleted=true", headers=bob)).status_code == 404
    assert (await client.patch(path, json={"name": "mine"}, headers=bob)).status_code == 404
    assert (await client.delete(path, headers=bob)).status_code == 404
    assert (await client.post(f"{path}/restore", headers=bob)).status_code == 404
    assert (await client.get(f"{path}/progress", headers=bob)).status_code == 404
    assert (await client.get("/v1/budgets", headers=bob)).json()["total"] == 0
    assert (await client.get(path, headers=alice)).json()["name"] == "January"


async def test_budgets_page_search_and_order(client, alice) -> None:
    for name, start in [
        ("Rent", "01"),
        ("groceries Q1", "02"),
        ("Holiday", "03"),
        ("GROCERIES Q2", "04"),
    ]:
        await make_budget(
            client, alice, name=name, period_start=f"2026-{start}-01", period_end="2026-12-31"
        )
    found = (await client.get("/v1/budgets?q=groceries", headers=alice)).json()
    assert sorted(b["name"] for b in found["items"]) == ["GROCERIES Q2", "groceries Q1"]
    ordered = await client.get(
        "/v1/budgets?order_by=period_start&order_dir=desc&page_size=3", headers=alice
    )
    body = ordered.json()
    assert [b["name"] for b in body["items"]] == ["GROCERIES Q2", "Holiday", "groceries Q1"]
    assert body["total"] == 4
    assert body["next_cursor"]
    rest = await client.get(
        f"/v1/budgets?order_by=period_start&order_dir=desc&page_size=3&cursor={body['next_cursor']}",
        headers=alice,
    )
    assert [b["name"] for b in rest.json()["items"]] == ["Rent"]
    assert rest.json()["page"] == 2
    assert rest.json()["next_cursor"] is None
    by_name = await client.get("/v1/budgets?order_by=name", headers=alice)
    assert [b["name"] for b in by_name.json()["items"]] == [
        "groceries Q1",
        "GROCERIES Q2",
        "Holiday",
        "Rent",
    ]
    wildcard = await client.get("/v1/budgets?q=%25", headers=alice)
    assert wildcard.json()["total"] == 0  # % is a character, not a wildcard


@pytest.mark.parametrize(
    "changes",
    [
        {"period_end": "2025-12-31"},
        {"period_end": "2026-01-01"},
        {"categories": {}},
        {"categories": {"Groceries": -1}},
        {"categories": {"Groceries": 19.99}},
        {"name": ""},
        {"currency": "usd"},
        {"rollover": "yes"},
        {"user_id": "usr_someone_else"},
        {"id": "bud_chosen"},
    ],
)
async def test_invalid_budgets_are_400(client, alice, changes) -> None:
    response = await client.post("/v1/budgets", json={**JANUARY, **changes}, headers=alice)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_failed"


async def test_a_patch_that_breaks_the_rules_is_400_and_changes_nothing(client, alice) -> None:
    budget = await make_budget(client, alice)
    path = f"/v1/budgets/{budget['id']}"
    for body in ({"period_start": "2026-02-15"}, {"name": None}, {"deleted_at": None}):
        response = await client.patch(path, json=body, headers=alice)
        assert response.status_code == 400, body
    assert (await client.get(path, headers=alice)).json() == budget


@pytest.mark.parametrize(
    "query",
    ["page=0", "page_size=0", "page_size=201", "order_by=user_id", "order_dir=up", "cursor=zz"],
)
async def test_bad_list_parameters_are_400(client, alice, query) -> None:
    assert (await client.get(f"/v1/budgets?{query}", headers=alice)).status_code == 400
    assert (await client.get(f"/v1/goals?{query}", headers=alice)).status_code == 400


async def test_progress_measures_linked_spending_in_the_period(
    client, alice, bob, linked: FakeLinkedFinances
) -> None:
    budget = await make_budget(client, alice)
    linked.link(ALICE, checking("1000"))
    linked.spend(ALICE, "2026-01-03", "-120.50", "groceries")
    linked.spend(ALICE, "2026-01-05", "-30.25", "FOOD_AND_DRINK_GROCERIES", pending=True)
    linked.spend(ALICE, "2026-01-06", "-45.67", "dining")
    linked.spend(ALICE, "2026-01-07", "-20.00", "shopping")
    linked.spend(ALICE, "2026-02-01", "-500.00", "groceries")
    linked.spend(BOB, "2026-01-03", "-999.00", "groceries")
    response = await client.get(f"/v1/budgets/{budget['id']}/progress", headers=alice)
    assert response.status_code == 200
    progress = response.json()
    assert progress["budget_id"] == budget["id"]
    rows = {r["category"]: r for r in progress["categories"]}
    assert rows["Groceries"] == {
        "category": "Groceries",
        "budgeted": 40_000,
        "spent": 15_075,
        "remaining": 24_925,
        "percent_used": "37.69",
        "transaction_count": 2,
    }
    assert rows["Dining"]["spent"] == 4_567
    assert progress["total_spent"] == 19_642
    assert progress["unbudgeted_spent"] == 2_000
    assert linked.asked[-1][0] == ALICE
    settled = await client.get(
        f"/v1/budgets/{budget['id']}/progress?include_pending=false", headers=alice
    )
    assert settled.json()["total_spent"] == 16_617


async def test_progress_without_linked_accounts_is_409(client, alice) -> None:
    budget = await make_budget(client, alice)
    response = await client.get(f"/v1/budgets/{budget['id']}/progress", headers=alice)
    assert response.status_code == 409
    assert response.json()["code"] == "no_linked_accounts"


async def test_goals_crud_with_derived_status_and_isolation(client, alice, bob) -> None:
    created = await client.post(
        "/v1/goals",
        json={"name": "New car", "target_amount": 2_000_000, "target_date": "2026-12-31"},
        headers=alice,
    )
    assert created.status_code == 201
    goal = created.json()
    assert goal["status"] == "active"
    assert goal["current_amount"] == 0
    assert goal["currency"] == "USD"
    path = f"/v1/goals/{goal['id']}"
    reached = await client.patch(path, json={"current_amount": 2_000_000}, headers=alice)
    assert reached.json()["status"] == "achieved"
    late = await client.patch(
        path, json={"current_amount": 10, "target_date": "2025-12-31"}, headers=alice
    )
    assert late.json()["status"] == "overdue"
    undated = await client.patch(path, json={"target_date": None}, headers=alice)
    assert undated.json()["target_date"] is None
    assert undated.json()["status"] == "active"
    assert (await client.get(path, headers=bob)).status_code == 404
    assert (await client.patch(path, json={"name": "x"}, headers=bob)).status_code == 404
    assert (await client.delete(path, headers=bob)).status_code == 404
    assert (await client.delete(path, headers=alice)).status_code == 204
    assert (await client.get(path, headers=alice)).status_code == 404
    assert (await client.get("/v1/goals", headers=alice)).json()["total"] == 0
    assert (await client.post(f"{path}/restore", headers=bob)).status_code == 404
    restored = await client.post(f"{path}/restore", headers=alice)
    assert restored.status_code == 200
    assert restored.json()["id"] == goal["id"]


async def test_goals_list_searches_and_orders(client, alice) -> None:
    for name, target in [("Car", 300), ("Holiday", 100), ("Emergency fund", 200)]:
        await client.post("/v1/goals", json={"name": name, "target_amount": target}, headers=alice)
    listed = await client.get("/v1/goals?order_by=target_amount&order_dir=desc", headers=alice)
    assert [g["name"] for g in listed.json()["items"]] == ["Car", "Emergency fund", "Holiday"]
    found = await client.get("/v1/goals?q=FUND", headers=alice)
    assert [g["name"] for g in found.json()["items"]] == ["Emergency fund"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "target_amount": 0},
        {"name": "x", "target_amount": 100, "current_amount": -1},
        {"name": "x", "target_amount": 10.5},
        {"name": "x"},
        {"name": "x", "target_amount": 100, "status": "achieved"},
        {"name": "x", "target_amount": 100, "target_date": "31/12/2026"},
    ],
)
async def test_invalid_goals_are_400(client, alice, body) -> None:
    response = await client.post("/v1/goals", json=body, headers=alice)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_net_worth_is_computed_per_currency_from_linked_accounts(
    client, alice, linked: FakeLinkedFinances
) -> None:
    linked.link(ALICE, checking("2500.10"), credit_card("400.05"), checking("100", "EUR"))
    response = await client.post("/v1/net-worth/snapshots", json={}, headers=alice)
    assert response.status_code == 201
    snapshot = response.json()
    assert snapshot["source"] == "linked_accounts"
    assert snapshot["as_of"] == "2026-01-31"
    assert snapshot["totals"] == [
        {"currency": "EUR", "assets": 10_000, "liabilities": 0, "net_worth": 10_000},
        {"currency": "USD", "assets": 250_010, "liabilities": 40_005, "net_worth": 210_005},
    ]


async def test_net_worth_without_linked_accounts_is_409_not_a_zero_snapshot(client, alice) -> None:
    response = await client.post("/v1/net-worth/snapshots", json={}, headers=alice)
    assert response.status_code == 409
    assert response.json()["code"] == "no_linked_accounts"
    assert (await client.get("/v1/net-worth/snapshots", headers=alice)).json()["items"] == []


async def test_given_snapshots_form_a_time_series_per_user(client, alice, bob) -> None:
    for day, assets in [("2026-01-15", 500), ("2025-12-01", 100), ("2026-01-01", 300)]:
        response = await client.post(
            "/v1/net-worth/snapshots",
            json={"assets": assets, "liabilities": 50, "currency": "GBP", "as_of": day},
            headers=alice,
        )
        assert response.status_code == 201
        assert response.json()["source"] == "manual"
    await client.post("/v1/net-worth/snapshots", json={"assets": 1, "liabilities": 0}, headers=bob)
    series = (await client.get("/v1/net-worth/snapshots", headers=alice)).json()
    assert [s["as_of"] for s in series["items"]] == ["2025-12-01", "2026-01-01", "2026-01-15"]
    assert series["items"][0]["totals"][0]["net_worth"] == 50
    ranged = await client.get(
        "/v1/net-worth/snapshots?start=2026-01-01&end=2026-01-14", headers=alice
    )
    assert [s["as_of"] for s in ranged.json()["items"]] == ["2026-01-01"]
    first = (await client.get("/v1/net-worth/snapshots?limit=2", headers=alice)).json()
    assert len(first["items"]) == 2
    rest = await client.get(
        f"/v1/net-worth/snapshots?limit=2&cursor={first['next_cursor']}", headers=alice
    )
    assert [s["as_of"] for s in rest.json()["items"]] == ["2026-01-15"]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"assets": 100},
        {"liabilities": 100},
        {"assets": -1, "liabilities": 0},
        {"assets": 1.5, "liabilities": 0},
        {"currency": "USD"},
        {"assets": 1, "liabilities": 1, "as_of": "2027-01-01"},
        {"assets": 1, "liabilities": 1, "source": "manual"},
    ],
)
async def test_invalid_snapshots_are_400(client, alice, body) -> None:
    response = await client.post("/v1/net-worth/snapshots", json=body, headers=alice)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    "query", ["start=2026-02-01&end=2026-01-01", "limit=0", "limit=201", "cursor=nope", "start=x"]
)
async def test_bad_series_parameters_are_400(client, alice, query) -> None:
    response = await client.get(f"/v1/net-worth/snapshots?{query}", headers=alice)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/budgets", {"name": 5, "unknown": True}),
        ("POST", "/v1/goals", {}),
        ("POST", "/v1/net-worth/snapshots", {"assets": -1}),
        ("POST", "/v1/calc/irr", {"cashflows": "nope"}),
        ("GET", "/v1/budgets?page=abc", None),
        ("GET", "/v1/market/history/AAPL?start=yesterday", None),
    ],
)
async def test_anonymous_requests_get_401_before_any_validation(client, method, path, body) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["www-authenticate"].startswith("Bearer")
    bad_token = await client.request(
        method, path, json=body, headers={"Authorization": "Bearer not-a-jwt"}
    )
    assert bad_token.status_code == 401
    assert bad_token.json()["code"] == "invalid_token"
