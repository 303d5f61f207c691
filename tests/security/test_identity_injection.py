"""SQL injection: hostile text in every identity input is data, never SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.auth import auth_headers
from tests.identity_support import identity_app, login, register

pytestmark = pytest.mark.anyio

HOSTILE = [
    "' OR '1'='1",
    "x'; DROP TABLE users; --",
    '" OR ""="',
    "admin@example.com' --",
    "\\'; SELECT * FROM users; --",
]


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.mark.parametrize("payload", HOSTILE)
async def test_hostile_logins_are_plain_invalid_credentials(client, payload: str) -> None:
    await register(client, "admin@example.com")
    for email, password in ((payload, "whatever password"), ("admin@example.com", payload)):
        response = await login(client, email, password)
        assert response.status_code in (401, 429)
        assert response.json()["code"] in ("invalid_credentials", "rate_limited")
    assert (await login(client, "admin@example.com")).status_code == 200


async def test_hostile_names_are_stored_and_returned_exactly(client) -> None:
    for i, payload in enumerate(HOSTILE):
        response = await register(client, f"user{i}@example.com", name=payload)
        assert response.status_code == 201
        assert response.json()["name"] == payload


@pytest.mark.parametrize("payload", HOSTILE)
async def test_hostile_audit_filters_match_nothing(settings, client, payload: str) -> None:
    await register(client, "ada@example.com")
    admin = auth_headers(settings, user_id="usr_A", roles=("admin",))
    for key in ("actor", "action"):
        response = await client.get("/v1/admin/audit", params={key: payload}, headers=admin)
        assert response.status_code == 200
        assert response.json()["items"] == []
    assert len((await client.get("/v1/admin/audit", headers=admin)).json()["items"]) == 1


@pytest.mark.parametrize("payload", HOSTILE)
async def test_hostile_user_ids_in_paths_are_404(settings, client, payload: str) -> None:
    admin = auth_headers(settings, user_id="usr_A", roles=("admin",))
    response = await client.post(
        f"/v1/admin/users/{payload}/roles", json={"roles": ["admin"]}, headers=admin
    )
    assert response.status_code in (404, 400)
