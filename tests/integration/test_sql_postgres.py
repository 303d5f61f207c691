"""The PostgreSQL executor on a throw-away cluster: types, counts, errors, lost connections."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import anyio
import asyncpg
import pytest
import structlog
from structlog.testing import capture_logs

from adapters.sql.postgres import PostgresConfig, PostgresExecutor
from ports.sql import DatabaseUnavailable, OutcomeUnknown, StatementRejected
from tests.pg_cluster import ClusterUnavailable, PgCluster, shared_cluster

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

DDL = """CREATE TABLE t (
    id TEXT PRIMARY KEY,
    n INTEGER NOT NULL DEFAULT 0,
    big BIGINT,
    note TEXT
)"""


@pytest.fixture
def cluster() -> PgCluster:
    try:
        return shared_cluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"PostgreSQL store: {exc}")


@pytest.fixture
async def url(cluster: PgCluster) -> str:
    return await cluster.new_schema_async()


@pytest.fixture
async def pg(url: str) -> AsyncIterator[PostgresExecutor]:
    executor = PostgresExecutor(PostgresConfig(dsn=url, retries=1, total_timeout=10))
    await executor.execute(DDL)
    yield executor
    await executor.close()


async def _admin(cluster: PgCluster, sql: str) -> None:
    conn = await asyncpg.connect(cluster.url())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_values_bind_the_way_sqlite_would_store_them(pg: PostgresExecutor) -> None:
    await pg.execute("INSERT INTO t (id, n, big, note) VALUES (?, ?, ?, ?)", ("a", True, "42", 7))
    row = (await pg.execute("SELECT id, n, big, note FROM t WHERE n = ?", (True,))).first()
    assert row == {"id": "a", "n": 1, "big": 42, "note": "7"}
    with pytest.raises(StatementRejected, match="invalid_type"):
        await pg.execute("INSERT INTO t (id, n) VALUES (?, ?)", ("b", "not a number"))


async def test_rowcount_comes_from_the_command_status(pg: PostgresExecutor) -> None:
    for i in range(3):
        inserted = await pg.execute("INSERT INTO t (id, n) VALUES (?, ?)", (f"r{i}", i))
        assert inserted.rowcount == 1
    assert (await pg.execute("UPDATE t SET note = ? WHERE n >= ?", ("x", 1))).rowcount == 2
    assert (await pg.execute("DELETE FROM t WHERE n < ?", (5,))).rowcount == 3
    assert (await pg.execute("SELECT id FROM t")).rowcount == 0


async def test_an_empty_select_still_names_its_columns(pg: PostgresExecutor) -> None:
    result = await pg.execute("SELECT id, note AS remark FROM t WHERE id = ?", ("none",))
    assert (result.columns, result.rows) == (("id", "remark"), ())


async def test_question_marks_inside_string_literals_are_not_parameters(
    pg: PostgresExecutor,
) -> None:
    await pg.execute("INSERT INTO t (id, note) VALUES (?, 'why?')", ("q",))
    row = (await pg.execute("SELECT id FROM t WHERE note = 'why?' AND id = ?", ("q",))).first()
    assert row == {"id": "q"}


async def test_sums_over_bigint_are_integers_not_decimals(pg: PostgresExecutor) -> None:
    for i, amount in enumerate((10**15, 10**15, 1)):
        await pg.execute("INSERT INTO t (id, big) VALUES (?, ?)", (f"s{i}", amount))
    total = (await pg.execute("SELECT SUM(big) AS total FROM t")).scalar()
    assert total == 2 * 10**15 + 1
    assert type(total) is int


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT colour FROM t",
        "SELECT * FROM no_such_table",
        "SELEC nonsense",
        "INSERT INTO t (id) VALUES (NULL)",
    ],
)
async def test_statements_that_do_not_fit_are_rejected(pg: PostgresExecutor, sql: str) -> None:
    with pytest.raises(StatementRejected):
        await pg.execute(sql)


async def test_a_schema_change_under_a_prepared_statement_is_handled(pg: PostgresExecutor) -> None:
    await pg.execute("INSERT INTO t (id) VALUES (?)", ("a",))
    assert (await pg.execute("SELECT * FROM t WHERE id = ?", ("a",))).columns == (
        "id", "n", "big", "note",
    )  # fmt: skip
    await pg.execute("ALTER TABLE t ADD COLUMN extra TEXT")
    after = await pg.execute("SELECT * FROM t WHERE id = ?", ("a",))
    assert after.columns == ("id", "n", "big", "note", "extra")


async def test_more_callers_than_connections_all_get_served(url: str) -> None:
    executor = PostgresExecutor(PostgresConfig(dsn=url, pool_size=2))
    results: list[int] = []

    async def one(i: int) -> None:
        results.append(int((await executor.execute("SELECT ? + 1 AS n", (i,))).scalar() or 0))

    try:
        async with anyio.create_task_group() as tg:
            for i in range(12):
                tg.start_soon(one, i)
    finally:
        await executor.close()
    assert sorted(results) == list(range(1, 13))


async def test_pooled_connections_killed_by_the_server_are_replaced(
    cluster: PgCluster, pg: PostgresExecutor
) -> None:
    await pg.execute("SELECT id FROM t")
    await _admin(
        cluster,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE pid <> pg_backend_pid() AND datname = current_database()",
    )
    await anyio.sleep(0.1)
    assert (await pg.execute("SELECT COUNT(*) FROM t")).scalar() == 0


async def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    executor = PostgresExecutor(
        PostgresConfig(dsn=f"postgresql://x@127.0.0.1:{port}/x", retries=1, connect_timeout=1)
    )
    with pytest.raises(DatabaseUnavailable):
        await executor.execute("INSERT INTO t (id) VALUES (?)", ("a",))
    await executor.close()


SLOW_WRITE = "UPDATE t SET note = ? WHERE id = ? AND (SELECT TRUE FROM pg_sleep(5))"


async def _terminate_when_running(cluster: PgCluster) -> None:
    """Terminate the backend running SLOW_WRITE as soon as it shows up."""
    conn = await asyncpg.connect(cluster.url())
    try:
        for _ in range(80):  # poll: the statement shows up once the executor sent it
            terminated = await conn.fetchval(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE query LIKE 'UPDATE t SET note%' AND state = 'active' "
                "AND pid <> pg_backend_pid()"
            )
            if terminated:
                return
            await anyio.sleep(0.05)
    finally:
        await conn.close()


async def test_a_connection_lost_mid_write_is_outcome_unknown(
    cluster: PgCluster, pg: PostgresExecutor
) -> None:
    await pg.execute("INSERT INTO t (id) VALUES (?)", ("a",))
    with anyio.fail_after(4.5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(_terminate_when_running, cluster)
            with pytest.raises(OutcomeUnknown):
                await pg.execute(SLOW_WRITE, ("changed", "a"))
    row = (await pg.execute("SELECT note FROM t WHERE id = ?", ("a",))).first()
    assert row == {"note": None}  # terminated before commit, and not re-sent


@pytest.mark.parametrize(("idempotent", "retries"), [(False, 0), (True, 2)])
async def test_a_write_slower_than_the_read_timeout_is_outcome_unknown_and_retried_only_if_safe(
    url: str, idempotent: bool, retries: int
) -> None:
    executor = PostgresExecutor(PostgresConfig(dsn=url, read_timeout=0.5, retries=2))
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    try:
        await executor.execute(DDL)
        await executor.execute("INSERT INTO t (id) VALUES (?)", ("a",))
        with capture_logs() as logs, anyio.fail_after(4.5), pytest.raises(OutcomeUnknown):
            await executor.execute(SLOW_WRITE, ("changed", "a"), idempotent=idempotent)
    finally:
        structlog.configure(**saved)
        await executor.close()
    assert sum(e["event"] == "sql_retry" for e in logs) == retries
