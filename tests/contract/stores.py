"""The stores every contract test runs against, and a helper for any test that wants them all.

Each factory opens a fresh, empty store for one test and closes it afterwards:

- ``sqlite-file``, ``sqlite-memory``: the embedded adapter;
- ``elixir-params``, ``elixir-inline``: the ``elixir_http`` executor against the SQL-over-HTTP
  test server (``tests/sqlhttp_server.py``, one per session, a fresh database per test); the
  inline one talks to a server that refuses ``params``, so every value goes through the
  literal encoder;
- ``postgresql``: the asyncpg executor on a throw-away cluster (``tests/pg_cluster.py``), a
  fresh schema per test; skipped, with the reason, when the server binaries are absent.

Repository tests elsewhere get "an executor for each store" by importing the fixtures:
``from tests.contract.stores import executor, migrated_executor  # noqa: F401``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from adapters.sql.elixir_http import ElixirHttpConfig, ElixirHttpExecutor
from adapters.sql.migrator import Migrator
from adapters.sql.postgres import PostgresConfig, PostgresExecutor
from adapters.sql.sqlite import SqliteExecutor
from ports.sql import SqlExecutor
from tests.pg_cluster import ClusterUnavailable, shared_cluster
from tests.sqlhttp_server import shared_server

__all__ = ["STORES", "executor", "migrated_executor", "open_store", "store_params"]

StoreFactory = Callable[[Path], AbstractAsyncContextManager[SqlExecutor]]


@asynccontextmanager
async def _closing(executor: SqlExecutor) -> AsyncIterator[SqlExecutor]:
    try:
        yield executor
    finally:
        await executor.close()


def sqlite_file(tmp_path: Path) -> AbstractAsyncContextManager[SqlExecutor]:
    return _closing(SqliteExecutor(str(tmp_path / "contract.db")))


def sqlite_memory(tmp_path: Path) -> AbstractAsyncContextManager[SqlExecutor]:
    return _closing(SqliteExecutor(":memory:"))


@asynccontextmanager
async def _elixir(inline: bool) -> AsyncIterator[SqlExecutor]:
    server = shared_server(refuse_params=inline)
    database = uuid.uuid4().hex
    config = ElixirHttpConfig(
        base_url=server.base_url(database), inline=inline, retries=2, total_timeout=10.0
    )
    try:
        async with _closing(ElixirHttpExecutor(config)) as executor:
            yield executor
    finally:
        server.drop_database(database)


def elixir_params(tmp_path: Path) -> AbstractAsyncContextManager[SqlExecutor]:
    return _elixir(inline=False)


def elixir_inline(tmp_path: Path) -> AbstractAsyncContextManager[SqlExecutor]:
    return _elixir(inline=True)


@asynccontextmanager
async def postgresql(tmp_path: Path) -> AsyncIterator[SqlExecutor]:
    try:
        cluster = shared_cluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"PostgreSQL store: {exc}")
    url = await cluster.new_schema_async()
    async with _closing(PostgresExecutor(PostgresConfig(dsn=url, total_timeout=10.0))) as ex:
        yield ex


STORES: dict[str, StoreFactory] = {
    "sqlite-file": sqlite_file,
    "sqlite-memory": sqlite_memory,
    "elixir-params": elixir_params,
    "elixir-inline": elixir_inline,
    "postgresql": postgresql,
}


@asynccontextmanager
async def traced_sqlite(tmp_path: Path) -> AsyncIterator[SqlExecutor]:
    """The decorator every app applies (spans on, in memory) must keep the port's contract."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from entrypoints.observability.metrics import Metrics
    from entrypoints.observability.sql import TracedExecutor
    from entrypoints.observability.tracing import Tracing

    tracing = Tracing.with_exporter(InMemorySpanExporter(), batch=False)
    executor = TracedExecutor(
        SqliteExecutor(str(tmp_path / "traced.db")), Metrics(), tracing.tracer
    )
    try:
        yield executor
    finally:
        await executor.close()
        tracing.shutdown()


STORES["traced-sqlite"] = traced_sqlite


def store_params() -> list[object]:
    """``pytest.param`` per store, PostgreSQL marked ``postgres``."""
    return [
        pytest.param(name, marks=[pytest.mark.postgres] if name == "postgresql" else [])
        for name in sorted(STORES)
    ]


def open_store(name: str, tmp_path: Path) -> AbstractAsyncContextManager[SqlExecutor]:
    """A fresh, empty store of the named kind (closed on exit)."""
    return STORES[name](tmp_path)


@pytest.fixture(params=store_params())
async def executor(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlExecutor]:
    """An empty store of each kind in turn."""
    async with open_store(request.param, tmp_path) as ex:
        yield ex


@pytest.fixture(params=store_params())
async def migrated_executor(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SqlExecutor]:
    """A store of each kind in turn with every shipped migration applied."""
    async with open_store(request.param, tmp_path) as ex:
        await Migrator(ex).migrate()
        yield ex
