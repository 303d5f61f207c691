"""Maintenance mode over HTTP: who may switch it, what it refuses, and instances agreeing."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from entrypoints.providers.operations import MAINTENANCE_CACHE_SECONDS
from entrypoints.settings import Settings
from ports.sql import SqlExecutor
from tests.auth import auth_headers
from tests.fakes import FakeClock, FakeSystemProvider

pytestmark = pytest.mark.anyio

ADMIN = "usr_00000000000000000000000009"
PATH = "/v1/admin/maintenance"


def admin(settings: Settings) -> dict[str, str]:
    return auth_headers(settings, user_id=ADMIN, roles=("admin",))


async def test_anonymous_callers_get_401_and_users_403(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    anonymous = await client.post(PATH, json={"enabled": True})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    user = await client.post(PATH, json={"enabled": True}, headers=auth_headers(settings))
    assert user.status_code == 403
    assert user.json()["code"] == "forbidden"
    # Neither turned it on.
    assert (await client.post("/v1/anything", json={})).status_code != 503


async def test_an_admin_turns_it_on_and_writes_get_503_with_retry_after(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    response = await client.post(
        PATH, json={"enabled": True, "reason": "database upgrade"}, headers=admin(settings)
    )
    assert response.status_code == 200
    assert response.json() == {
        "enabled": True,
        "reason": "database upgrade",
        "updated_at": "2026-01-31T12:00:00Z",
    }
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        refused = await client.request(
            method, "/v1/merchants/mer_1/payments", json={}, headers=auth_headers(settings)
        )
        assert refused.status_code == 503, method
        assert refused.headers["retry-after"] == "60"
        body = refused.json()
        assert body["code"] == "maintenance"
        assert "database upgrade" in body["detail"]
        assert body["correlation_id"] == refused.headers["x-request-id"]
    # Reads, probes, metrics, admin and auth routes keep working.
    assert (await client.get("/v1/merchants", headers=auth_headers(settings))).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200
    assert (await client.post("/v1/auth/login", json={})).status_code != 503
    assert (await client.post("/v1/admin/users/x/roles", json={})).status_code != 503
    metrics = (await client.get("/metrics")).text
    assert "service_maintenance_mode 1.0" in metrics
    # Refused before routing, still counted as financial traffic.
    assert (
        'http_server_requests_total{method="POST",route="<unmatched>",route_class="financial",'
        'status_class="5xx"} 1.0'
    ) in metrics
    off = await client.post(PATH, json={"enabled": False}, headers=admin(settings))
    assert off.json()["enabled"] is False
    assert off.json()["reason"] is None
    assert (await client.post("/v1/anything", json={})).status_code == 404


async def test_the_request_body_is_strict(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    unknown = await client.post(PATH, json={"enabled": True, "extra": 1}, headers=admin(settings))
    assert unknown.status_code == 400
    too_long = await client.post(
        PATH, json={"enabled": True, "reason": "x" * 501}, headers=admin(settings)
    )
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "reason"


async def test_switching_is_audited(app: Litestar, settings: Settings) -> None:
    async with AsyncTestClient(app=app) as client:
        await client.post(PATH, json={"enabled": True}, headers=admin(settings))
        await client.post(PATH, json={"enabled": False}, headers=admin(settings))
        executor = await app.state.dishka_container.get(SqlExecutor)
        rows = await executor.execute(
            "SELECT actor_id, action, target, correlation_id FROM audit_events ORDER BY id"
        )
    assert [tuple(r[:3]) for r in rows.rows] == [
        (ADMIN, "maintenance.enable", "maintenance"),
        (ADMIN, "maintenance.disable", "maintenance"),
    ]
    assert all(r[3] for r in rows.rows), "each switch links to its request id"


async def test_two_instances_on_one_store_agree_within_the_cache_window(
    settings: Settings,
) -> None:
    clock_a, clock_b = FakeClock(), FakeClock()
    first = create_app(settings, FakeSystemProvider(clock=clock_a))
    second = create_app(settings, FakeSystemProvider(clock=clock_b))
    async with AsyncTestClient(app=first) as a, AsyncTestClient(app=second) as b:
        assert (await b.post("/v1/anything", json={})).status_code == 404  # b caches "off"
        on = await a.post(PATH, json={"enabled": True, "reason": "r"}, headers=admin(settings))
        assert on.status_code == 200
        assert (await a.post("/v1/anything", json={})).status_code == 503  # the writer at once
        assert (await b.post("/v1/anything", json={})).status_code == 404  # still cached
        clock_b.advance(MAINTENANCE_CACHE_SECONDS + 0.1)
        assert (await b.post("/v1/anything", json={})).status_code == 503
        # And back off, switched from the other instance this time.
        off = await b.post(PATH, json={"enabled": False}, headers=admin(settings))
        assert off.status_code == 200
        clock_a.advance(MAINTENANCE_CACHE_SECONDS + 0.1)
        assert (await a.post("/v1/anything", json={})).status_code == 404
