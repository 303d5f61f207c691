"""OWASP API3 (broken object property level authorization): no mass assignment, no leaks."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from ports.sql import SqlExecutor
from tests.auth import auth_headers
from tests.identity_support import PASSWORD, identity_app, login, register, signed_up

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.mark.parametrize(
    "extra",
    [
        {"roles": ["admin"]},
        {"id": "usr_CHOSEN"},
        {"is_admin": True},
        {"status": "active"},
        {"password_hash": "$argon2id$forged"},
    ],
)
async def test_register_refuses_server_owned_fields(client, extra: dict) -> None:
    response = await register(client, "ada@example.com", **extra)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    # and nothing was created
    assert (await login(client, "ada@example.com")).status_code == 401


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/auth/login", {"email": "a@example.com", "password": PASSWORD, "roles": ["admin"]}),
        ("/v1/auth/refresh", {"refresh_token": "x", "user_id": "usr_1"}),
        ("/v1/auth/login", {"email": 12, "password": PASSWORD}),
        ("/v1/auth/login", {"email": "a@example.com", "password": ["x"]}),
        ("/v1/auth/register", {"email": "a@example.com", "password": PASSWORD, "name": 5}),
        ("/v1/auth/register", {"email": "a@example.com"}),
        ("/v1/auth/register", ["not", "an", "object"]),
    ],
)
async def test_unknown_fields_and_wrong_types_are_400(client, path: str, body) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_a_role_change_body_cannot_carry_other_fields(settings, client) -> None:
    user = (await register(client, "ada@example.com")).json()
    response = await client.post(
        f"/v1/admin/users/{user['id']}/roles",
        json={"roles": ["user"], "email": "evil@example.com"},
        headers=auth_headers(settings, user_id="usr_ADMIN", roles=("admin",)),
    )
    assert response.status_code == 400


async def test_no_response_ever_carries_a_password_hash_or_token_hash(
    settings, app, client
) -> None:
    admin = auth_headers(settings, user_id="usr_ADMIN", roles=("admin",))
    bodies: list[str] = []
    created = await register(client, "ada@example.com", name="Ada")
    bodies.append(created.text)
    tokens = await login(client, "ada@example.com")
    bodies.append(tokens.text)
    pair = tokens.json()
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    bodies.append((await client.get("/v1/me", headers=bearer)).text)
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    bodies.append(refreshed.text)
    bodies.append((await client.get("/v1/admin/users", headers=admin)).text)
    bodies.append(
        (
            await client.post(
                f"/v1/admin/users/{created.json()['id']}/roles",
                json={"roles": ["user"]},
                headers=admin,
            )
        ).text
    )
    bodies.append((await client.get("/v1/admin/audit", headers=admin)).text)
    bodies.append((await login(client, "ada@example.com", "wrong password here")).text)
    executor = await app.state.dishka_container.get(SqlExecutor)
    password_hash = str((await executor.execute("SELECT password_hash FROM users")).scalar())
    token_hashes = [
        str(r[0]) for r in (await executor.execute("SELECT token_hash FROM refresh_tokens")).rows
    ]
    assert token_hashes
    assert hashlib.sha256(pair["refresh_token"].encode()).hexdigest() in token_hashes
    everything = "\n".join(bodies)
    assert "password_hash" not in everything
    assert "$argon2" not in everything
    assert password_hash not in everything
    assert PASSWORD not in everything
    for token_hash in token_hashes:
        assert token_hash not in everything


async def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(app, client) -> None:
    await register(client, "ada@example.com")
    executor = await app.state.dishka_container.get(SqlExecutor)
    row = (await executor.execute("SELECT * FROM users")).rows[0]
    assert PASSWORD not in repr(row)
    assert any(str(v).startswith("$argon2id$") for v in row)


async def test_the_admin_user_list_shows_no_credentials(settings, client) -> None:
    await signed_up(client, "ada@example.com")
    users = await client.get(
        "/v1/admin/users", headers=auth_headers(settings, user_id="usr_A", roles=("admin",))
    )
    [item] = users.json()["items"]
    assert set(item) == {"id", "email", "name", "roles", "created_at", "updated_at"}
