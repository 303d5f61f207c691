"""Several events in one statement: each written exactly once, on every store."""

from __future__ import annotations

import pytest

from adapters.sql.events import SqlEventLog
from adapters.sql.migrator import Migrator
from ports.events import Event
from ports.sql import SqlExecutor
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


def _event(suffix: str) -> Event:
    return Event(
        id=f"evt_pay_1_{suffix}",
        type=f"payment.{suffix}",
        merchant_id="mer_1",
        created_at=FakeClock().now(),
        data={"id": "pay_1", "status": suffix},
    )


async def test_a_batch_writes_only_the_events_not_yet_recorded(executor: SqlExecutor) -> None:
    await Migrator(executor).migrate()
    log = SqlEventLog(executor)
    assert await log.record(_event("created")) is True
    # A repeated step: the first event exists, the second is new.
    assert await log.record_many([_event("created"), _event("captured")]) == 1
    assert await log.record_many([_event("created"), _event("captured")]) == 0
    assert await log.record_many([]) == 0
    rows = await executor.execute("SELECT id, type FROM events ORDER BY id")
    assert [tuple(r) for r in rows.rows] == [
        ("evt_pay_1_captured", "payment.captured"),
        ("evt_pay_1_created", "payment.created"),
    ]
