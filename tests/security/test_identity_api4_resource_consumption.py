"""OWASP API4 (unrestricted resource consumption) and API6 (abuse of the sign-up and login
flows): rate limits with 429 + Retry-After, page caps, body and field size limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.domain.errors import RateLimited
from core.domain.identity import Principal
from core.services.rate_limiting import RateLimiter
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider
from tests.identity_support import PASSWORD, identity_app, login, register

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(sql_url: str):
    return make_settings(
        sql_url,
        FINTECH_RATE_LOGIN_ACCOUNT="3/900",
        FINTECH_RATE_LOGIN_ADDRESS="6/900",
        FINTECH_RATE_REGISTER_ADDRESS="4/3600",
        FINTECH_RATE_MONEY_WRITES="5/60",
    )


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


def _assert_429(response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "rate_limited"
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    return retry_after


async def test_failed_logins_per_account_are_limited_even_for_the_right_password(
    system, client
) -> None:
    await register(client, "ada@example.com")
    for _ in range(3):
        assert (await login(client, "ada@example.com", "wrong password 123")).status_code == 401
    retry_after = _assert_429(await login(client, "ada@example.com", PASSWORD))
    assert retry_after <= 900
    system.fake_clock.advance(retry_after)
    assert (await login(client, "ada@example.com", PASSWORD)).status_code == 200


async def test_successful_logins_do_not_use_up_the_account_limit(client) -> None:
    await register(client, "ada@example.com")
    for _ in range(5):
        assert (await login(client, "ada@example.com")).status_code == 200


async def test_failed_logins_per_client_address_are_limited_across_accounts(client) -> None:
    for i in range(6):
        response = await login(client, f"user{i}@example.com", "wrong password 123")
        assert response.status_code == 401
    _assert_429(await login(client, "someone-else@example.com", "wrong password 123"))


async def test_concurrent_guesses_never_exceed_the_account_limit(client) -> None:
    await register(client, "ada@example.com")
    statuses: list[int] = []

    async def guess(n: int) -> None:
        statuses.append((await login(client, "ada@example.com", f"wrong password {n}")).status_code)

    async with anyio.create_task_group() as tg:
        for n in range(8):
            tg.start_soon(guess, n)
    assert statuses.count(401) == 3
    assert statuses.count(429) == 5


async def test_limits_hold_across_service_processes_sharing_the_store(settings) -> None:
    clock = FakeClock()
    first = identity_app(settings, FakeSystemProvider(clock=clock))
    second = identity_app(settings, FakeSystemProvider(clock=clock))
    async with AsyncTestClient(app=first) as a, AsyncTestClient(app=second) as b:
        await register(a, "ada@example.com")
        assert (await login(a, "ada@example.com", "wrong password 1")).status_code == 401
        assert (await login(b, "ada@example.com", "wrong password 2")).status_code == 401
        assert (await login(a, "ada@example.com", "wrong password 3")).status_code == 401
        _assert_429(await login(b, "ada@example.com", PASSWORD))


async def test_registrations_per_client_address_are_limited(client) -> None:
    for i in range(4):
        assert (await register(client, f"user{i}@example.com")).status_code == 201
    _assert_429(await register(client, "one-more@example.com"))


async def test_money_moving_writes_per_principal_are_limited_by_the_shared_limiter(
    app, system, client
) -> None:
    limiter = await app.state.dishka_container.get(RateLimiter)
    ada, bob = Principal("usr_ADA"), Principal("usr_BOB")
    for _ in range(5):
        await limiter.money_moving_write(ada)
    with pytest.raises(RateLimited) as refused:
        await limiter.money_moving_write(ada)
    assert 1 <= refused.value.retry_after <= 60
    await limiter.money_moving_write(bob)  # limits are per principal
    system.fake_clock.advance(refused.value.retry_after)
    await limiter.money_moving_write(ada)


async def test_ended_windows_are_purged(app, system, client) -> None:
    limiter = await app.state.dishka_container.get(RateLimiter)
    await limiter.hit("k", limit=3, window=60)
    await limiter.hit("k", limit=3, window=60)
    assert await limiter.purge_expired() == 0
    system.fake_clock.advance(120)
    assert await limiter.purge_expired() == 2


@pytest.mark.parametrize("limit", [0, 201, -1, "many"])
async def test_page_sizes_outside_1_to_200_are_400(settings, client, limit) -> None:
    admin = auth_headers(settings, user_id="usr_A", roles=("admin",))
    for path in ("/v1/admin/users", "/v1/admin/audit"):
        response = await client.get(path, params={"limit": limit}, headers=admin)
        assert response.status_code == 400, (path, response.text)


async def test_a_body_over_one_mebibyte_is_413_on_auth_routes(client) -> None:
    big = b'{"email": "a@example.com", "password": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.post(
        "/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_over_long_passwords_and_tokens_are_refused_before_hashing(client) -> None:
    response = await register(client, "ada@example.com", password="p" * 1025)
    assert response.status_code == 400
    response = await client.post("/v1/auth/refresh", json={"refresh_token": "t" * 257})
    assert response.status_code == 400


async def test_the_money_write_guard_limits_a_route_per_principal(settings, system) -> None:
    from dishka.integrations.litestar import DishkaRouter
    from litestar import Controller, post

    from entrypoints.http.guards import money_write_limit

    class Transfers(Controller):
        path = "/v1/test-transfers"

        @post("", guards=[money_write_limit], status_code=201)
        async def create(self) -> dict[str, str]:
            return {"status": "created"}

    app = identity_app(settings, system)
    app.register(DishkaRouter("", route_handlers=[Transfers]))
    ada = auth_headers(settings, user_id="usr_ADA")
    bob = auth_headers(settings, user_id="usr_BOB")
    async with AsyncTestClient(app=app) as client:
        assert (await client.post("/v1/test-transfers")).status_code == 401
        for _ in range(5):
            assert (await client.post("/v1/test-transfers", headers=ada)).status_code == 201
        _assert_429(await client.post("/v1/test-transfers", headers=ada))
        assert (await client.post("/v1/test-transfers", headers=bob)).status_code == 201
