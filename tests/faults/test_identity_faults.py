"""Identity under store faults: unknown outcomes fail closed, outages are 503 without internals."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from litestar.testing import AsyncTestClient

from adapters.sql.sqlite import SqliteExecutor
from ports.sql import DatabaseUnavailable, OutcomeUnknown, SqlExecutor, SqlResult, SqlValue
from tests.fakes import FakeSystemProvider, override
from tests.identity_support import identity_app, login, signed_up

pytestmark = pytest.mark.anyio


class FlakyExecutor:
    """A real SQLite executor that misbehaves on statements matching ``trigger`` once armed."""

    def __init__(self, inner: SqliteExecutor) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.trigger: str | None = None
        self.fault: type[Exception] = OutcomeUnknown
        self.run_first = True

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        if self.trigger and sql.startswith(self.trigger):
            self.trigger = None
            if self.run_first:
                await self.inner.execute(sql, params, idempotent=idempotent)
            raise self.fault("connection lost after sending")
        return await self.inner.execute(sql, params, idempotent=idempotent)

    async def ping(self) -> float:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


@pytest.fixture
def flaky(settings) -> FlakyExecutor:
    return FlakyExecutor(SqliteExecutor(settings.sql_url.path))


@pytest.fixture
def app(settings, flaky):
    return identity_app(settings, FakeSystemProvider(), override(SqlExecutor, flaky))


async def test_an_unknown_outcome_while_claiming_a_refresh_token_fails_closed(app, flaky) -> None:
    async with AsyncTestClient(app=app) as client:
        user = await signed_up(client, "ada@example.com")
        flaky.trigger = "UPDATE refresh_tokens SET used_at"
        first = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        assert first.status_code == 503
        assert first.json()["code"] == "outcome_unknown"
        assert first.headers["retry-after"] == "1"
        assert "connection lost" not in first.text
        # The claim did land: the client's retry looks like reuse and ends the session,
        # rather than risking two live token chains.
        retry = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        assert retry.status_code == 401
        assert (await login(client, "ada@example.com")).status_code == 200


async def test_a_store_outage_during_login_is_a_503_with_retry_after(app, flaky) -> None:
    async with AsyncTestClient(app=app) as client:
        await signed_up(client, "ada@example.com")
        flaky.trigger = "SELECT id, email"
        flaky.fault = DatabaseUnavailable
        flaky.run_first = False
        response = await login(client, "ada@example.com")
        assert response.status_code == 503
        assert response.json()["code"] == "store_unavailable"
        assert response.headers["retry-after"]
        assert (await login(client, "ada@example.com")).status_code == 200
