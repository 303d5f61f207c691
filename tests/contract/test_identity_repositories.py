"""Users, refresh tokens and rate-limit windows behave the same on every store."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest

from adapters.sql.audit import SqlAuditLog
from adapters.sql.migrator import Migrator
from adapters.sql.rate_limits import SqlRateLimitStore
from adapters.sql.refresh_tokens import SqlRefreshTokenStore
from adapters.sql.users import SqlUserRepository
from core.domain.users import User
from ports.refresh_tokens import RefreshTokenRecord
from ports.sql import SqlExecutor
from tests.fakes import FakeClock, SequentialIds

pytestmark = pytest.mark.anyio

NOW = FakeClock().now()


@pytest.fixture
async def store(executor: SqlExecutor) -> SqlExecutor:
    await Migrator(executor).migrate()
    return executor


def _user(n: int, email: str | None = None) -> User:
    return User(
        id=f"usr_{n:026d}",
        email=email or f"user{n}@example.com",
        name=None,
        roles=frozenset({"user"}),
        created_at=NOW,
        updated_at=NOW,
    )


async def test_users_are_unique_by_email_and_page_by_id(store: SqlExecutor) -> None:
    users = SqlUserRepository(store)
    for n in range(1, 6):
        assert await users.add(_user(n), f"hash{n}")
    assert not await users.add(_user(9, "user1@example.com"), "h")
    first = await users.page(after_id=None, limit=2)
    rest = await users.page(after_id=first[-1].id, limit=10)
    assert [u.id for u in first + rest] == [f"usr_{n:026d}" for n in range(1, 6)]
    found = await users.credentials_for_email("user3@example.com")
    assert found is not None
    assert found.password_hash == "hash3"
    assert "hash3" not in repr(found)


async def test_roles_and_password_hash_updates_are_conditional(store: SqlExecutor) -> None:
    users = SqlUserRepository(store)
    await users.add(_user(1), "old")
    assert await users.set_roles("usr_00000000000000000000000001", frozenset({"admin"}), NOW)
    assert not await users.set_roles("usr_missing", frozenset({"admin"}), NOW)
    assert (await users.get("usr_00000000000000000000000001")).roles == frozenset({"admin"})
    assert await users.set_password_hash("usr_00000000000000000000000001", "old", "new", NOW)
    assert not await users.set_password_hash("usr_00000000000000000000000001", "old", "x", NOW)


async def test_a_refresh_token_is_claimed_once_and_families_revoke_once(store: SqlExecutor) -> None:
    tokens = SqlRefreshTokenStore(store)
    await tokens.start_family("rtk_1", "usr_1", NOW)
    record = RefreshTokenRecord("h1", "rtk_1", "usr_1", NOW, NOW + timedelta(days=1), None)
    await tokens.add(record)
    await tokens.add(record)  # a retried insert is harmless
    assert await tokens.find("h1") == record
    assert await tokens.find("nope") is None
    assert await tokens.mark_used("h1", NOW)
    assert not await tokens.mark_used("h1", NOW)
    assert (await tokens.find("h1")).used_at == NOW
    assert await tokens.revoke_family("rtk_1", NOW, "reuse")
    assert not await tokens.revoke_family("rtk_1", NOW, "reuse")
    assert (await tokens.family("rtk_1")).revoked_at == NOW


async def test_concurrent_claims_of_one_refresh_token_have_one_winner(store: SqlExecutor) -> None:
    tokens = SqlRefreshTokenStore(store)
    await tokens.add(RefreshTokenRecord("h", "rtk_1", "u", NOW, NOW, None))
    wins: list[bool] = []

    async def claim() -> None:
        wins.append(await tokens.mark_used("h", NOW))

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(claim)
    assert wins.count(True) == 1


async def test_rate_limit_slots_cap_the_count_under_concurrency(store: SqlExecutor) -> None:
    limits = SqlRateLimitStore(store)
    got: list[int | None] = []

    async def hit() -> None:
        got.append(await limits.acquire("b", 0, 5, 60))

    async with anyio.create_task_group() as tg:
        for _ in range(12):
            tg.start_soon(hit)
    granted = sorted(s for s in got if s is not None)
    assert granted == [0, 1, 2, 3, 4]
    await limits.release("b", 0, 2)
    assert await limits.acquire("b", 0, 5, 60) == 2  # a released slot is found again
    assert await limits.acquire("b", 0, 5, 60) is None
    assert await limits.acquire("b", 60, 5, 120) == 0  # the next window starts empty
    await limits.forget_before("b", 60)
    assert await limits.purge_expired(10_000) == 1


async def test_audit_listing_filters_and_orders_by_id(store: SqlExecutor) -> None:
    clock = FakeClock()
    audit = SqlAuditLog(store, clock, SequentialIds())
    a = await audit.record(actor_id="usr_1", action="auth.login")
    clock.advance(60)
    b = await audit.record(actor_id="usr_2", action="auth.login", outcome="failure")
    c = await audit.record(actor_id="usr_1", action="user.list")
    assert [e.id for e in await audit.list()] == [c.id, b.id, a.id]
    assert [e.id for e in await audit.list(actor_id="usr_1")] == [c.id, a.id]
    assert [e.id for e in await audit.list(action="auth.login", newest_first=False)] == [a.id, b.id]
    assert [e.id for e in await audit.list(since=clock.now())] == [c.id, b.id]
    assert [e.id for e in await audit.list(before_id=c.id, limit=1)] == [b.id]
    assert [e.id for e in await audit.list(after_id=a.id, newest_first=False)] == [b.id, c.id]
    injection = "usr_1' OR '1'='1"
    assert await audit.list(actor_id=injection) == []
