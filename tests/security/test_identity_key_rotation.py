"""Rotating FINTECH_SECRET_KEY (ADR 0010): retired keys verify during the overlap only, and
refresh tokens (opaque, not signed) carry sessions across a rotation."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider
from tests.identity_support import identity_app, signed_up

pytestmark = pytest.mark.anyio

OLD = "old-signing-key-that-is-at-least-32-bytes"
NEW = "new-signing-key-that-is-at-least-32-bytes"


async def test_tokens_signed_with_a_retired_key_verify_only_while_it_is_listed(sql_url) -> None:
    old_settings = make_settings(sql_url, FINTECH_SECRET_KEY=OLD)
    old_token = auth_headers(old_settings, user_id="usr_A", roles=("admin",))
    overlap = make_settings(sql_url, FINTECH_SECRET_KEY=NEW, FINTECH_PREVIOUS_SECRET_KEYS=OLD)
    after = make_settings(sql_url, FINTECH_SECRET_KEY=NEW)
    async with AsyncTestClient(app=identity_app(overlap)) as client:
        assert (await client.get("/v1/admin/users", headers=old_token)).status_code == 200
    async with AsyncTestClient(app=identity_app(after)) as client:
        assert (await client.get("/v1/admin/users", headers=old_token)).status_code == 401


async def test_a_session_survives_rotation_through_one_refresh(sql_url) -> None:
    clock = FakeClock()
    before = identity_app(make_settings(sql_url, FINTECH_SECRET_KEY=OLD), FakeSystemProvider(clock))
    async with AsyncTestClient(app=before) as client:
        user = await signed_up(client, "ada@example.com")
    after = identity_app(make_settings(sql_url, FINTECH_SECRET_KEY=NEW), FakeSystemProvider(clock))
    async with AsyncTestClient(app=after) as client:
        assert (await client.get("/v1/me", headers=user.headers)).status_code == 401
        pair = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        assert pair.status_code == 200
        fresh = {"Authorization": f"Bearer {pair.json()['access_token']}"}
        assert (await client.get("/v1/me", headers=fresh)).status_code == 200


def test_a_short_previous_key_is_refused_at_start_up(sql_url) -> None:
    from entrypoints.settings import SettingsError

    with pytest.raises(SettingsError) as info:
        make_settings(sql_url, FINTECH_PREVIOUS_SECRET_KEYS="short")
    assert info.value.variable == "FINTECH_PREVIOUS_SECRET_KEYS"
