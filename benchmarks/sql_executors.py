"""Statements per second and latency through each SQL executor.

Primary-key insert, primary-key select and a 50-row select, sequentially, on one connection,
for: SQLite (file, WAL); the elixir_http executor against the SQL-over-HTTP test server on
loopback (native params and inline literals; the server is Python's threaded ``http.server``
with SQLite behind it, and its own share of each round trip is printed); PostgreSQL on a
throw-away cluster from Debian's binaries (skipped when they are absent).
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import structlog
from tests.pg_cluster import ClusterUnavailable, PgCluster
from tests.sqlhttp_server import SqlHttpServer

from adapters.sql.elixir_http import ElixirHttpConfig, ElixirHttpExecutor
from adapters.sql.postgres import PostgresConfig, PostgresExecutor
from adapters.sql.sqlite import SqliteExecutor
from ports.sql import SqlExecutor

N = 2000


async def _measure(name: str, op: Callable[[int], Awaitable[object]], n: int = N) -> None:
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        await op(i)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1e3
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1e3
    print(f"  {name:<22} {n / total:>9.0f} stmt/s   p50 {p50:6.3f} ms   p99 {p99:6.3f} ms")


async def run_store(label: str, executor: SqlExecutor) -> None:
    print(f"{label}:")
    await executor.execute("DROP TABLE IF EXISTS bench")
    await executor.execute(
        "CREATE TABLE bench (id TEXT PRIMARY KEY, owner TEXT NOT NULL, amount BIGINT NOT NULL)"
    )
    await _measure(
        "insert (primary key)",
        lambda i: executor.execute(
            "INSERT INTO bench (id, owner, amount) VALUES (?, ?, ?)", (f"b{i:08d}", "o", i)
        ),
    )
    await _measure(
        "select (primary key)",
        lambda i: executor.execute("SELECT id, amount FROM bench WHERE id = ?", (f"b{i:08d}",)),
    )
    await _measure(
        "select (50 rows)",
        lambda i: executor.execute(
            "SELECT id, owner, amount FROM bench WHERE amount >= ? ORDER BY amount LIMIT 50",
            (i % (N - 50),),
        ),
        n=N // 2,
    )
    await executor.close()


async def _elixir(server: SqlHttpServer, inline: bool) -> None:
    database = uuid.uuid4().hex
    executor = ElixirHttpExecutor(
        ElixirHttpConfig(base_url=server.base_url(database), inline=inline)
    )
    before_busy, before_requests = server.busy_seconds, server.requests
    mode = "inline literals" if inline else "native params"
    await run_store(f"elixir_http, {mode} (test server on loopback)", executor)
    served = server.requests - before_requests
    share = (server.busy_seconds - before_busy) / served * 1e3
    print(f"  (the test server's own handler time: {share:.3f} ms per statement)")
    server.drop_database(database)


async def _main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await run_store("sqlite (file, WAL)", SqliteExecutor(str(Path(tmp) / "bench.db")))
    server = SqlHttpServer().start()
    inline_server = SqlHttpServer(refuse_params=True).start()
    try:
        await _elixir(server, inline=False)
        await _elixir(inline_server, inline=True)
    finally:
        server.stop()
        inline_server.stop()
    try:
        cluster = PgCluster().start()
    except ClusterUnavailable as exc:
        print(f"postgresql: skipped ({exc})")
        return
    try:
        url = await cluster.new_schema_async()
        await run_store(
            "postgresql (asyncpg, throw-away cluster, fsync off)",
            PostgresExecutor(PostgresConfig(dsn=url)),
        )
    finally:
        cluster.stop()


def main() -> None:
    print("== SQL executors (python -m benchmarks sql)")
    # The per-statement INFO log line is measured apart from the stores: silence it here.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    anyio.run(_main)
