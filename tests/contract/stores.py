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
