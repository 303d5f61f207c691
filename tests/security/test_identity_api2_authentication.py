"""OWASP API2 (broken authentication), over HTTP on a real protected endpoint (/v1/me)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.security.passwords import Argon2PasswordHasher
from ports.passwords import PasswordHasher
from ports.sql import SqlExecutor
from tests.fakes import FakeSystemProvider
from tests.identity_support import PASSWORD, cheap_hasher, identity_app, login, register, signed_up

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _me(client, token: str):
    return await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})


def _assert_refused(response, code: str = "invalid_token") -> None:
    assert response.status_code == 401, response.text
    assert response.json()["code"] == code
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_genuine_token_opens_me(client) -> None:
    user = await signed_up(client, "ada@example.com")
    assert (await _me(client, user.access_token)).status_code == 200


async def test_alg_none_is_refused(client) -> None:
    user = await signed_up(client, "ada@example.com")
    claims = _claims(user.access_token) | {"roles": ["admin", "user"]}
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    _assert_refused(await _me(client, forged))


async def test_a_tampered_payload_is_refused(client) -> None:
    user = await signed_up(client, "ada@example.com")
    header, _, signature = user.access_token.split(".")
    claims = _claims(user.access_token) | {"roles": ["admin", "user"]}
    _assert_refused(await _me(client, f"{header}.{_b64(claims)}.{signature}"))


async def test_a_token_signed_with_another_key_is_refused(client) -> None:
    user = await signed_up(client, "ada@example.com")
    forged = jwt.encode(_claims(user.access_token), "another-key-" * 4, algorithm="HS256")
    _assert_refused(await _me(client, forged))


async def test_switching_the_algorithm_is_refused(settings, client) -> None:
    user = await signed_up(client, "ada@example.com")
    forged = jwt.encode(_claims(user.access_token), settings.secret_key * 2, algorithm="HS512")
    _assert_refused(await _me(client, forged))


async def test_an_expired_token_is_refused(system, client) -> None:
    user = await signed_up(client, "ada@example.com")
    system.fake_clock.advance(901)
    _assert_refused(await _me(client, user.access_token), "token_expired")


@pytest.mark.parametrize(("claim", "value"), [("aud", "another-api"), ("iss", "someone-else")])
async def test_a_token_for_another_audience_or_issuer_is_refused(
    settings, client, claim: str, value: str
) -> None:
    user = await signed_up(client, "ada@example.com")
    claims = _claims(user.access_token) | {claim: value}
    _assert_refused(await _me(client, jwt.encode(claims, settings.secret_key, algorithm="HS256")))


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti", "aud", "iss"])
async def test_a_token_missing_a_required_claim_is_refused(settings, client, missing: str) -> None:
    user = await signed_up(client, "ada@example.com")
    claims = _claims(user.access_token)
    del claims[missing]
    _assert_refused(await _me(client, jwt.encode(claims, settings.secret_key, algorithm="HS256")))


async def test_a_refresh_token_is_not_an_access_token(client) -> None:
    user = await signed_up(client, "ada@example.com")
    _assert_refused(await _me(client, user.refresh_token))
    wrong_way = await client.post("/v1/auth/refresh", json={"refresh_token": user.access_token})
    assert wrong_way.status_code in (400, 401)  # too long to be ours, or unknown


async def test_a_reused_refresh_token_revokes_its_whole_family(client) -> None:
    user = await signed_up(client, "ada@example.com")
    rotated = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert rotated.status_code == 200
    newest = rotated.json()["refresh_token"]
    # The old token comes back (stolen copy or replay): refused, and the family dies.
    replay = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert replay.status_code == 401
    assert replay.json()["code"] == "invalid_refresh_token"
    after = await client.post("/v1/auth/refresh", json={"refresh_token": newest})
    assert after.status_code == 401
    # Other sessions of the same user are separate families and live on.
    other = (await login(client, "ada@example.com")).json()["refresh_token"]
    assert (await client.post("/v1/auth/refresh", json={"refresh_token": other})).status_code == 200


async def test_concurrent_uses_of_one_refresh_token_give_at_most_one_pair(client) -> None:
    import anyio

    user = await signed_up(client, "ada@example.com")
    statuses: list[int] = []

    async def use() -> None:
        r = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        statuses.append(r.status_code)

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(use)
    assert statuses.count(200) <= 1
    assert statuses.count(401) >= 4


async def test_refresh_tokens_are_stored_only_as_hashes(app, client) -> None:
    user = await signed_up(client, "ada@example.com")
    executor = await app.state.dishka_container.get(SqlExecutor)
    rows = (await executor.execute("SELECT * FROM refresh_tokens")).rows
    stored = json.dumps([list(r) for r in rows])
    assert user.refresh_token not in stored
    import hashlib

    assert hashlib.sha256(user.refresh_token.encode()).hexdigest() in stored


class CountingHasher:
    """Real argon2id (cheap parameters) that counts verifications."""

    def __init__(self) -> None:
        self.inner = cheap_hasher()
        self.verified = 0

    async def hash(self, password: str) -> str:
        return await self.inner.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return await self.inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self.inner.needs_rehash(password_hash)


async def test_an_unknown_email_costs_the_same_hash_verification_as_a_wrong_password(
    settings,
) -> None:
    hasher = CountingHasher()
    async with AsyncTestClient(app=identity_app(settings, hasher=hasher)) as client:
        await register(client, "ada@example.com")
        before = hasher.verified
        await login(client, "nobody@example.com", "some password here")
        unknown = hasher.verified - before
        before = hasher.verified
        await login(client, "ada@example.com", "some password here")
        wrong = hasher.verified - before
    assert unknown == wrong == 1


async def test_login_rehashes_a_password_made_with_older_parameters(settings) -> None:
    old = Argon2PasswordHasher(time_cost=1, memory_kib=64, parallelism=1)
    new = Argon2PasswordHasher(time_cost=2, memory_kib=128, parallelism=1)
    async with AsyncTestClient(app=identity_app(settings, hasher=old)) as client:
        await register(client, "ada@example.com")
    app = identity_app(settings, FakeSystemProvider(), hasher=new)
    async with AsyncTestClient(app=app) as client:
        assert (await login(client, "ada@example.com")).status_code == 200
        executor = await app.state.dishka_container.get(SqlExecutor)
        stored = str((await executor.execute("SELECT password_hash FROM users")).scalar())
        assert "$argon2id$" in stored
        assert "m=128,t=2,p=1" in stored
        assert not new.needs_rehash(stored)
        assert (await login(client, "ada@example.com", PASSWORD)).status_code == 200


async def test_the_hasher_in_production_wiring_is_argon2id_with_owasp_parameters(settings) -> None:
    from entrypoints.container import create_container

    container = create_container(settings)
    try:
        hasher = await container.get(PasswordHasher)
        assert isinstance(hasher, Argon2PasswordHasher)
        time_cost, memory_kib, parallelism = hasher.parameters
        assert memory_kib >= 19 * 1024
        assert time_cost >= 2
        assert parallelism >= 1
    finally:
        await container.close()
