"""``ServiceFlags`` on every store: absent, set, overwritten, independent by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.sql.migrator import Migrator
from adapters.sql.service_flags import SqlServiceFlags
from ports.service_flags import ServiceFlag
from ports.sql import SqlExecutor

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 1, 31, 12, 5, tzinfo=UTC)


async def test_a_flag_is_absent_then_set_then_overwritten(executor: SqlExecutor) -> None:
    await Migrator(executor).migrate()
    flags = SqlServiceFlags(executor)
    assert await flags.get("maintenance") is None
    await flags.put(ServiceFlag("maintenance", '{"enabled": true}', T0))
    assert await flags.get("maintenance") == ServiceFlag("maintenance", '{"enabled": true}', T0)
    await flags.put(ServiceFlag("maintenance", '{"enabled": false}', T1))
    assert await flags.get("maintenance") == ServiceFlag("maintenance", '{"enabled": false}', T1)
    await flags.put(ServiceFlag("other", "x", T1))
    assert (await flags.get("maintenance")) is not None
    count = await executor.execute(
        "SELECT COUNT(*) FROM service_flags WHERE name = ?", ("maintenance",)
    )
    assert count.scalar() == 1
