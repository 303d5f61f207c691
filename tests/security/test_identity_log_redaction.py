"""Passwords and tokens presented to login, refresh and logout never reach the logs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient
from structlog.testing import capture_logs

from entrypoints.observability.logging import redact_secrets
from tests.identity_support import PASSWORD, identity_app, login, register

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.fixture
def all_levels() -> Iterator[None]:
    """Log every level during the test, whatever an earlier test configured."""
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    yield
    structlog.configure(**saved)


async def test_credentials_and_tokens_never_appear_in_log_events(client, all_levels) -> None:
    wrong = "an-incorrect-password-42"
    with capture_logs() as events:
        await register(client, "ada@example.com")
        await login(client, "ada@example.com", wrong)
        await login(client, "ghost@example.com", wrong)
        pair = (await login(client, "ada@example.com")).json()
        rotated = (
            await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        ).json()
        await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        await client.post(
            "/v1/auth/logout",
            json={"refresh_token": rotated["refresh_token"]},
            headers={"Authorization": f"Bearer {rotated['access_token']}"},
        )
    names = [e["event"] for e in events]
    # The flows were logged (so the check below looked at real lines) ...
    assert names.count("login_refused") == 2
    assert "login_succeeded" in names
    assert "refresh_succeeded" in names
    assert "refresh_refused" in names
    # ... and no line holds a secret the client presented or received.
    text = json.dumps(events, default=str)
    for secret in (
        PASSWORD,
        wrong,
        pair["access_token"],
        pair["refresh_token"],
        rotated["access_token"],
        rotated["refresh_token"],
    ):
        assert secret not in text
    assert "ada@example.com" not in text
    assert "ghost@example.com" not in text


def test_the_redaction_processor_scrubs_secrets_handed_to_a_logger_by_mistake() -> None:
    with capture_logs(processors=[redact_secrets]) as events:
        structlog.get_logger("test").info(
            "oops",
            password=PASSWORD,
            refresh_token="abc123abc123abc123",
            detail="Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl",
        )
    text = json.dumps(events)
    assert PASSWORD not in text
    assert "abc123abc123abc123" not in text
    assert "eyJzdWIiOiJ1c3JfMSJ9" not in text
