"""Audit trail, event log, users and memberships behave the same on every store."""

from __future__ import annotations

import pytest

from adapters.sql.audit import SqlAuditLog
from adapters.sql.directory import SqlMemberships, SqlUserDirectory
from adapters.sql.events import SqlEventLog
from adapters.sql.migrator import Migrator
from core.domain.identity import MerchantRole
from ports.events import Event
from ports.sql import SqlExecutor
from tests.fakes import FakeClock, SequentialIds

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(executor: SqlExecutor) -> SqlExecutor:
    await Migrator(executor).migrate()
    return executor


async def test_an_event_is_recorded_once_however_often_the_step_repeats(store: SqlExecutor) -> None:
    log = SqlEventLog(store)
    event = Event(
        id="evt_pay_1_captured",
        type="payment.captured",
        merchant_id="mer_1",
        created_at=FakeClock().now(),
        data={"id": "pay_1", "amount": 1999, "note": "é"},
    )
    assert await log.record(event) is True
    assert await log.record(event) is False
    rows = await store.execute("SELECT id, data FROM events")
    assert len(rows.rows) == 1
    assert rows.rows[0][1] == '{"amount":1999,"id":"pay_1","note":"\\u00e9"}'


async def test_audit_events_are_appended_with_time_and_outcome(store: SqlExecutor) -> None:
    audit = SqlAuditLog(store, FakeClock(), SequentialIds())
    first = await audit.record(actor_id="usr_1", action="auth.login", outcome="failure")
    await audit.record(actor_id="usr_1", action="payment.create", target="pay_1")
    rows = list(
        (
            await store.execute(
                "SELECT id, actor_id, action, target, outcome FROM audit_events ORDER BY id"
            )
        ).mappings()
    )
    assert [r["action"] for r in rows] == ["auth.login", "payment.create"]
    assert rows[0]["id"] == first.id
    assert rows[0]["outcome"] == "failure"
    assert rows[1]["target"] == "pay_1"


async def test_memberships_add_once_and_answer_roles(store: SqlExecutor) -> None:
    members = SqlMemberships(store, FakeClock())
    assert await members.add("mer_1", "usr_1", MerchantRole.OWNER) is True
    assert await members.add("mer_1", "usr_1", MerchantRole.STAFF) is False
    await members.add("mer_1", "usr_2", MerchantRole.STAFF)
    assert await members.role_of("mer_1", "usr_1") is MerchantRole.OWNER
    assert await members.role_of("mer_1", "usr_3") is None
    assert [m.merchant_id for m in await members.for_user("usr_2")] == ["mer_1"]
    assert {m.user_id for m in await members.for_merchant("mer_1")} == {"usr_1", "usr_2"}


async def test_user_directory_finds_ids_by_normalised_email(store: SqlExecutor) -> None:
    await store.execute(
        "INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("usr_1", "ada@example.com", "Ada", "h", "user", "t", "t"),
    )
    directory = SqlUserDirectory(store)
    assert await directory.id_for_email("  Ada@Example.COM ") == "usr_1"
    assert await directory.id_for_email("bob@example.com") is None
