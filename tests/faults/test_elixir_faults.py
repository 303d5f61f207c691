"""The elixir_http executor when the network and the database misbehave.

Every fault is injected by the SQL-over-HTTP test server on loopback; its own counters
(``executions``: statements that really ran, ``requests``: requests received) prove that a
write is never applied twice and that unsafe writes are not re-sent once their fate is unknown.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.sql.elixir_http import ElixirHttpConfig, ElixirHttpExecutor
from adapters.sql.policy import RetryPolicy
from ports.sql import DatabaseError, DatabaseUnavailable, OutcomeUnknown
from tests.sqlhttp_server import Fault, SqlHttpServer, running

pytestmark = pytest.mark.anyio

READ_TIMEOUT = 0.5  # generous: the machine is shared, an ordinary answer must never hit it
SLOW = 1.2  # well past the read timeout
RETRIES = 2
INSERT = "INSERT INTO pay (id, amount) VALUES (?, ?)"
INSERT_IDEMPOTENT = INSERT + " ON CONFLICT DO NOTHING"
SELECT = "SELECT id, amount FROM pay WHERE id = ?"


@pytest.fixture
def server() -> Iterator[SqlHttpServer]:
    with running() as srv:
        yield srv


def _config(base_url: str, **overrides: object) -> ElixirHttpConfig:
    values: dict[str, object] = {
        "base_url": base_url,
        "connect_timeout": 0.5,
        "read_timeout": READ_TIMEOUT,
        "total_timeout": 5.0,
        "retries": RETRIES,
        "pool_size": 4,
    }
    values.update(overrides)
    return ElixirHttpConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
async def db(server: SqlHttpServer) -> AsyncIterator[ElixirHttpExecutor]:
    executor = ElixirHttpExecutor(_config(server.base_url()))
    await executor.execute("CREATE TABLE pay (id TEXT PRIMARY KEY, amount BIGINT NOT NULL)")
    yield executor
    await executor.close()


async def _stored(db: ElixirHttpExecutor) -> int:
    return int((await db.execute("SELECT COUNT(*) AS n FROM pay")).scalar() or 0)


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_unavailable_statuses_are_retried_even_for_unsafe_writes(
    server: SqlHttpServer, db: ElixirHttpExecutor, status: int
) -> None:
    server.inject(Fault("status", status=status, match="INSERT"))
    result = await db.execute(INSERT, ("p1", 100))
    assert result.rowcount == 1
    assert server.executions("INSERT") == 1
    assert await _stored(db) == 1


async def test_retries_are_bounded_and_then_unavailable_is_raised(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    before = server.requests
    server.inject(*[Fault("status", status=503, match="INSERT") for _ in range(RETRIES + 5)])
    with pytest.raises(DatabaseUnavailable):
        await db.execute(INSERT, ("p1", 100))
    assert server.requests - before == RETRIES + 1
    assert server.executions("INSERT") == 0


async def test_a_500_after_a_write_ran_is_not_retried(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    server.inject(Fault("status", status=500, after_execute=True, match="INSERT"))
    with pytest.raises(DatabaseError):
        await db.execute(INSERT, ("p1", 100), idempotent=True)
    assert server.executions("INSERT") == 1
    assert await _stored(db) == 1


async def test_a_500_on_a_read_is_retried(server: SqlHttpServer, db: ElixirHttpExecutor) -> None:
    await db.execute(INSERT, ("p1", 100))
    server.inject(Fault("status", status=500, match="SELECT id"))
    assert (await db.execute(SELECT, ("p1",))).first() == {"id": "p1", "amount": 100}
    assert server.executions("SELECT id") == 1


async def test_malformed_json_is_a_database_error_for_writes_and_retried_for_reads(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    server.inject(Fault("malformed", after_execute=True, match="INSERT"))
    with pytest.raises(DatabaseError, match="malformed"):
        await db.execute(INSERT, ("p1", 100))
    assert server.executions("INSERT") == 1
    server.inject(Fault("malformed", match="SELECT id"))
    assert (await db.execute(SELECT, ("p1",))).first() == {"id": "p1", "amount": 100}
    assert server.executions("SELECT id") == 1  # the malformed answer came before running


async def test_a_slow_answer_to_an_unsafe_write_is_outcome_unknown_and_not_resent(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    server.inject(Fault("slow", delay=SLOW, after_execute=True, match="INSERT"))
    before = server.requests
    with pytest.raises(OutcomeUnknown):
        await db.execute(INSERT, ("p1", 100))
    assert server.requests - before == 1
    assert server.executions("INSERT") == 1
    assert await _stored(db) == 1  # it did run: only the workflow's recovery may decide


async def test_a_slow_answer_to_an_idempotent_write_is_retried_and_stored_once(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    server.inject(Fault("slow", delay=SLOW, after_execute=True, match="INSERT"))
    result = await db.execute(INSERT_IDEMPOTENT, ("p1", 100), idempotent=True)
    assert result.rowcount == 0  # the retry found the row the first attempt wrote
    assert server.executions("INSERT") == 2
    assert await _stored(db) == 1


async def test_a_slow_answer_to_a_read_is_retried(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    await db.execute(INSERT, ("p1", 100))
    server.inject(Fault("slow", delay=SLOW, match="SELECT id"))
    assert (await db.execute(SELECT, ("p1",))).first() == {"id": "p1", "amount": 100}


@pytest.mark.parametrize("after_execute", [False, True], ids=["before-running", "after-running"])
async def test_a_dropped_connection_after_sending_an_unsafe_write_is_outcome_unknown(
    server: SqlHttpServer, db: ElixirHttpExecutor, after_execute: bool
) -> None:
    server.inject(Fault("drop", after_execute=after_execute, match="INSERT"))
    before = server.requests
    with pytest.raises(OutcomeUnknown):
        await db.execute(INSERT, ("p1", 100))
    assert server.requests - before == 1
    assert server.executions("INSERT") == int(after_execute)
    assert await _stored(db) == int(after_execute)


async def test_a_dropped_connection_on_an_idempotent_write_is_retried_without_a_double_write(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    server.inject(Fault("drop", after_execute=True, match="INSERT"))
    await db.execute(INSERT_IDEMPOTENT, ("p1", 100), idempotent=True)
    assert server.executions("INSERT") == 2
    assert await _stored(db) == 1


async def test_a_dropped_connection_on_a_read_is_retried(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    await db.execute(INSERT, ("p1", 100))
    server.inject(Fault("drop", match="SELECT id"), Fault("drop", match="SELECT id"))
    assert (await db.execute(SELECT, ("p1",))).first() == {"id": "p1", "amount": 100}


async def test_unavailable_after_an_unknown_outcome_is_still_reported_as_unknown(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    server.inject(
        Fault("slow", delay=SLOW, after_execute=True, match="INSERT"),
        *[Fault("status", status=503, match="INSERT") for _ in range(RETRIES)],
    )
    with pytest.raises(OutcomeUnknown, match="earlier attempt"):
        await db.execute(INSERT_IDEMPOTENT, ("p1", 100), idempotent=True)
    assert server.executions("INSERT") == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_connection_refused_is_unavailable_for_any_statement_after_bounded_retries() -> None:
    executor = ElixirHttpExecutor(_config(f"http://127.0.0.1:{_closed_port()}"))
    try:
        with pytest.raises(DatabaseUnavailable, match="cannot reach"):
            await executor.execute(INSERT, ("p1", 100))
        with pytest.raises(DatabaseUnavailable):
            await executor.ping()
    finally:
        await executor.close()


async def test_the_total_timeout_bounds_every_retry(server: SqlHttpServer) -> None:
    executor = ElixirHttpExecutor(
        _config(server.base_url(), total_timeout=0.4, read_timeout=0.3, retries=10)
    )
    server.inject(*[Fault("slow", delay=SLOW, match="SELECT 1") for _ in range(10)])
    try:
        with pytest.raises(OutcomeUnknown):
            await executor.execute("SELECT 1")
        assert server.requests <= 2
    finally:
        await executor.close()


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.05, max_delay=0.3)
    delays = [policy.backoff(attempt) for attempt in range(8) for _ in range(20)]
    assert all(0 <= d <= 0.3 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # jitter: no two clients in lock-step
