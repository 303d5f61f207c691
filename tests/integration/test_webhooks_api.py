"""The events feed and webhook endpoint routes over HTTP, with the real store and rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from ports.sql import SqlExecutor
from ports.webhooks import HostResolver
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider, override
from tests.integration.test_health_and_errors import assert_problem
from tests.webhook_support import (
    MERCHANT,
    OWNER,
    STAFF,
    STRANGER,
    FakeResolver,
    add_members,
    container_of,
    record,
)

pytestmark = pytest.mark.anyio

PUBLIC_URL = "https://hooks.merchant.example/fintech"
BASE = f"/v1/merchants/{MERCHANT}"


@pytest.fixture
def settings(sql_url: str) -> Settings:
    return make_settings(sql_url, FINTECH_JOBS_ENABLED="false")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    resolver = FakeResolver({"hooks.merchant.example": ["93.184.216.34"]})
    return create_app(settings, FakeSystemProvider(clock), override(HostResolver, resolver))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        await add_members(app)
        yield c


def owner(settings: Settings) -> dict[str, str]:
    return auth_headers(settings, user_id=OWNER)


async def test_events_are_listed_newest_first_with_type_filter_and_cursor_paging(
    client, app, settings, clock
) -> None:
    t0 = clock.now()
    # Ids derived from the state change do not sort by time; two share one instant.
    await record(app, "evt_zz", "payment.authorized", t0)
    await record(app, "evt_aa", "payment.captured", t0 + timedelta(seconds=1))
    await record(app, "evt_mm", "payment.captured", t0 + timedelta(seconds=1))
    await record(app, "evt_bb", "refund.created", t0 + timedelta(seconds=2))
    await record(app, "evt_other", "payment.captured", t0, merchant_id="mer_other")

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"{BASE}/events", params=params, headers=owner(settings))
        assert response.status_code == 200
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["evt_bb", "evt_mm", "evt_aa", "evt_zz"]

    captured = await client.get(
        f"{BASE}/events", params={"type": "payment.captured"}, headers=owner(settings)
    )
    items = captured.json()["items"]
    assert [i["id"] for i in items] == ["evt_mm", "evt_aa"]
    assert items[0] == {
        "id": "evt_mm",
        "type": "payment.captured",
        "created_at": "2026-01-31T12:00:01Z",
        "merchant_id": MERCHANT,
        "data": {"id": "mm"},
    }


async def test_staff_reads_events_but_strangers_get_404_and_bad_queries_400(
    client, app, settings, clock
) -> None:
    await record(app, "evt_1", "payment.captured", clock.now())
    staff = await client.get(f"{BASE}/events", headers=auth_headers(settings, user_id=STAFF))
    assert staff.status_code == 200
    assert len(staff.json()["items"]) == 1
    admin = await client.get(
        f"{BASE}/events", headers=auth_headers(settings, user_id="usr_op", roles=("admin",))
    )
    assert admin.status_code == 200
    stranger = await client.get(f"{BASE}/events", headers=auth_headers(settings, user_id=STRANGER))
    assert_problem(stranger, 404, "not_found")
    assert_problem(await client.get(f"{BASE}/events"), 401, "unauthenticated")
    for params in ({"limit": "0"}, {"limit": "201"}, {"cursor": "!!not-a-cursor"}, {"type": "x"}):
        bad = await client.get(f"{BASE}/events", params=params, headers=owner(settings))
        assert_problem(bad, 400, "validation_failed")


async def test_owner_registers_an_endpoint_and_sees_the_secret_only_once(
    client, app, settings
) -> None:
    response = await client.post(
        f"{BASE}/webhook-endpoints",
        json={"url": PUBLIC_URL, "events": ["payment.captured", "refund.created"]},
        headers=owner(settings),
    )
    assert response.status_code == 201
    created = response.json()
    assert created["id"].startswith("whe_")
    assert created["status"] == "enabled"
    assert created["events"] == ["payment.captured", "refund.created"]
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 40

    listed = await client.get(f"{BASE}/webhook-endpoints", headers=owner(settings))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [i["id"] for i in items] == [created["id"]]
    assert "secret" not in items[0]
    assert secret not in listed.text

    # Encrypted at rest: the stored row does not contain the secret.
    executor = await container_of(app).get(SqlExecutor)
    rows = await executor.execute("SELECT secret_sealed FROM webhook_endpoints")
    sealed = str(rows.scalar())
    assert sealed.startswith("v1.k1.")
    assert secret not in sealed
    audit = await executor.execute("SELECT action, target FROM audit_events")
    assert ("webhook_endpoint.create", created["id"]) in audit.rows


async def test_endpoint_routes_are_for_owners_and_admins_only(client, settings) -> None:
    body = {"url": PUBLIC_URL, "events": ["*"]}
    staff = auth_headers(settings, user_id=STAFF)
    assert_problem(
        await client.post(f"{BASE}/webhook-endpoints", json=body, headers=staff), 403, "forbidden"
    )
    assert_problem(await client.get(f"{BASE}/webhook-endpoints", headers=staff), 403, "forbidden")
    stranger = auth_headers(settings, user_id=STRANGER)
    assert_problem(
        await client.post(f"{BASE}/webhook-endpoints", json=body, headers=stranger),
        404,
        "not_found",
    )
    admin = auth_headers(settings, user_id="usr_op", roles=("admin",))
    created = await client.post(f"{BASE}/webhook-endpoints", json=body, headers=admin)
    assert created.status_code == 201
    assert created.json()["events"] == ["*"]


async def test_invalid_registrations_are_refused(client, settings) -> None:
    cases = [
        ({"url": PUBLIC_URL, "events": ["payment.exploded"]}, "validation_failed"),
        ({"url": PUBLIC_URL, "events": []}, "validation_failed"),
        ({"url": PUBLIC_URL, "events": ["*"], "status": "enabled"}, "validation_failed"),
        ({"url": "http://hooks.merchant.example/x", "events": ["*"]}, "invalid_webhook_url"),
        ({"url": "https://nowhere.example/x", "events": ["*"]}, "invalid_webhook_url"),
        (
            {"url": "https://user:pw@hooks.merchant.example/", "events": ["*"]},
            "invalid_webhook_url",
        ),
        ({"url": "ftp://hooks.merchant.example/", "events": ["*"]}, "invalid_webhook_url"),
    ]
    for body, code in cases:
        response = await client.post(
            f"{BASE}/webhook-endpoints", json=body, headers=owner(settings)
        )
        problem = assert_problem(response, 400, code)
        if code == "invalid_webhook_url":
            assert problem["errors"][0]["field"] == "url"


async def test_deleting_an_endpoint_hides_it_and_its_deliveries(client, settings) -> None:
    created = await client.post(
        f"{BASE}/webhook-endpoints",
        json={"url": PUBLIC_URL, "events": ["*"]},
        headers=owner(settings),
    )
    endpoint_id = created.json()["id"]
    deliveries = await client.get(
        f"{BASE}/webhook-endpoints/{endpoint_id}/deliveries", headers=owner(settings)
    )
    assert deliveries.status_code == 200
    assert deliveries.json() == {"items": [], "next_cursor": None}

    gone = await client.delete(f"{BASE}/webhook-endpoints/{endpoint_id}", headers=owner(settings))
    assert gone.status_code == 204
    listed = await client.get(f"{BASE}/webhook-endpoints", headers=owner(settings))
    assert listed.json()["items"] == []
    again = await client.delete(f"{BASE}/webhook-endpoints/{endpoint_id}", headers=owner(settings))
    assert_problem(again, 404, "not_found")
    assert_problem(
        await client.get(
            f"{BASE}/webhook-endpoints/{endpoint_id}/deliveries", headers=owner(settings)
        ),
        404,
        "not_found",
    )
    # Another merchant's owner cannot reach it by id either.
    other = await client.delete(
        f"/v1/merchants/mer_other/webhook-endpoints/{endpoint_id}",
        headers=auth_headers(settings, user_id="usr_op", roles=("admin",)),
    )
    assert_problem(other, 404, "not_found")


async def test_anonymous_callers_get_401_before_any_validation(client) -> None:
    for method, path, kwargs in [
        ("POST", f"{BASE}/webhook-endpoints", {"json": {"bogus": 1}}),
        ("GET", f"{BASE}/events", {"params": {"limit": "0"}}),
        ("GET", f"{BASE}/webhook-endpoints/whe_x/deliveries", {"params": {"cursor": "%"}}),
        ("DELETE", f"{BASE}/webhook-endpoints/whe_x", {}),
    ]:
        response = await client.request(method, path, **kwargs)
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"].startswith("Bearer")
