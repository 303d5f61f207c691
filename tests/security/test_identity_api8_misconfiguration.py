"""OWASP API8 (security misconfiguration): headers, CORS, error bodies without internals;
API9 (inventory): every identity route is documented with its error answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.middleware import client_address, wrap_request_context
from ports.users import UserRepository
from tests.conftest import make_settings
from tests.fakes import override
from tests.identity_support import identity_app, login, signed_up

pytestmark = pytest.mark.anyio

LEAKS = ("traceback", "select ", "insert ", "/work/", "site-packages", '.py"', "sqlite", "argon2")


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_v1_answers_are_not_cacheable_and_carry_the_security_headers(client) -> None:
    user = await signed_up(client, "ada@example.com")
    for response in (
        await client.get("/v1/me", headers=user.headers),
        await login(client, "ada@example.com", "wrong password 1"),
        await client.get("/v1/nowhere"),
    ):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" not in (await client.get("/health/live")).headers.get("cache-control", "")


async def test_hsts_is_sent_over_https_only(settings) -> None:
    app = identity_app(settings)
    async with AsyncTestClient(app=app, base_url="https://api.example.com") as secure:
        assert "max-age=" in (await secure.get("/health/live")).headers["strict-transport-security"]
    async with AsyncTestClient(app=app, base_url="http://api.example.com") as plain:
        assert "strict-transport-security" not in (await plain.get("/health/live")).headers


def _scope(peer: str, headers: dict[str, str], scheme: str = "http") -> dict:
    return {
        "type": "http",
        "scheme": scheme,
        "client": (peer, 1234),
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }


def test_forwarded_headers_are_believed_only_from_trusted_proxies() -> None:
    import ipaddress

    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    spoofed = _scope("203.0.113.9", {"x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https"})
    assert client_address(spoofed, proxies) == ("203.0.113.9", False)
    proxied = _scope(
        "10.0.0.2",
        {"x-forwarded-for": "1.2.3.4, 198.51.100.7, 10.0.0.5", "x-forwarded-proto": "https"},
    )
    # The right-most address that is not a trusted proxy is the client; earlier hops are
    # whatever the client claimed.
    assert client_address(proxied, proxies) == ("198.51.100.7", True)
    assert client_address(proxied, []) == ("10.0.0.2", False)


async def _headers_for(scope: dict, trusted: list[str]) -> dict[str, str]:
    async def plain(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    wrapped = wrap_request_context(plain, max_body_bytes=1024, trusted_proxies=trusted)
    await wrapped({**scope, "path": "/v1/me", "method": "GET"}, receive, send)
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


async def test_hsts_follows_x_forwarded_proto_from_a_trusted_proxy_only() -> None:
    via_proxy = _scope("10.0.0.2", {"x-forwarded-proto": "https"})
    assert "strict-transport-security" in await _headers_for(via_proxy, ["10.0.0.0/8"])
    assert "strict-transport-security" not in await _headers_for(via_proxy, [])
    direct = _scope("203.0.113.9", {"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in await _headers_for(direct, ["10.0.0.0/8"])


async def test_cors_allows_only_configured_origins(sql_url) -> None:
    settings = make_settings(sql_url, FINTECH_CORS_ORIGINS="https://app.example.com")
    async with AsyncTestClient(app=identity_app(settings)) as client:
        allowed = await client.options(
            "/v1/me",
            headers={
                "Origin": "https://app.example.com",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        other = await client.get("/health/live", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


async def test_without_configured_origins_there_are_no_cors_headers(client) -> None:
    response = await client.get("/health/live", headers={"Origin": "https://app.example.com"})
    assert "access-control-allow-origin" not in response.headers


class _BrokenUsers:
    """A repository whose store fails with internals in the message."""

    async def credentials_for_email(self, email: str):
        raise RuntimeError("SELECT password_hash FROM users -- /work/src/adapters/sql/users.py")

    async def add(self, user, password_hash):
        raise RuntimeError("INSERT INTO users ... $argon2id$v=19$m=19456")


async def test_a_failure_inside_login_is_a_500_without_internals(settings) -> None:
    app = identity_app(settings, None, override(UserRepository, _BrokenUsers()))
    async with AsyncTestClient(app=app) as client:
        for response in (
            await login(client, "ada@example.com"),
            await client.post(
                "/v1/auth/register",
                json={"email": "ada@example.com", "password": "long enough password"},
            ),
        ):
            assert response.status_code == 500
            body = response.json()
            assert body["code"] == "internal_error"
            assert set(body) == {"type", "title", "status", "detail", "code", "correlation_id"}
            for leak in LEAKS:
                assert leak not in response.text.lower()


async def test_auth_errors_say_nothing_about_which_part_was_wrong(client) -> None:
    await signed_up(client, "ada@example.com")
    body = (await login(client, "ada@example.com", "wrong password 1")).json()
    assert "ada" not in body["detail"].lower()
    assert "password was" not in body["detail"].lower()


async def test_every_identity_route_is_documented_with_its_error_answers(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    expected = {
        ("/v1/auth/register", "post"): {"400", "409", "429"},
        ("/v1/auth/login", "post"): {"400", "401", "429"},
        ("/v1/auth/refresh", "post"): {"400", "401"},
        ("/v1/auth/logout", "post"): {"400", "401"},
        ("/v1/me", "get"): {"401"},
        ("/v1/admin/users", "get"): {"400", "401", "403"},
        ("/v1/admin/users/{user_id}/roles", "post"): {"400", "401", "403", "404"},
        ("/v1/admin/audit", "get"): {"400", "401", "403"},
    }
    for (path, method), statuses in expected.items():
        operation = doc["paths"][path][method]
        assert statuses <= set(operation["responses"]), (path, method)
