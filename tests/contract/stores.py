"""The stores every contract test runs against; later adapters join by adding a factory here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from adapters.sql.sqlite import SqliteExecutor
from ports.sql import SqlExecutor

StoreFactory = Callable[[Path], AbstractAsyncContextManager[SqlExecutor]]


@asynccontextmanager
async def sqlite_file(tmp_path: Path) -> AsyncIterator[SqlExecutor]:
    executor = SqliteExecutor(str(tmp_path / "contract.db"))
    try:
        yield executor
    finally:
        await executor.close()


@asynccontextmanager
async def sqlite_memory(tmp_path: Path) -> AsyncIterator[SqlExecutor]:
    executor = SqliteExecutor(":memory:")
    try:
        yield executor
    finally:
        await executor.close()


STORES: dict[str, StoreFactory] = {
    "sqlite-file": sqlite_file,
    "sqlite-memory": sqlite_memory,
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
