"""The SQLite executor runs short statements inline and moves slow or blocked ones to its thread.

Inline is only an optimisation: a statement that runs past the budget is interrupted (SQLite
rolls it back whole) and re-run on the worker thread, a statement that meets another
connection's write lock waits there instead of failing, and in both cases the event loop
keeps serving other tasks meanwhile.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.lowlevel
import pytest

from adapters.sql.sqlite import SqliteExecutor

pytestmark = pytest.mark.anyio
T = TypeVar("T")

_COUNT_TO = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
    "SELECT COUNT(*) FROM n"
)


async def _ticks_while(fn: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    ticks = 0
    done = anyio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await anyio.sleep(0.001)

    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        await anyio.lowlevel.checkpoint()
        before = ticks
        result = await fn()
        done.set()
    return result, ticks - before


async def test_a_slow_statement_finishes_on_the_thread_and_the_loop_keeps_running(
    tmp_path: Path,
) -> None:
    executor = SqliteExecutor(str(tmp_path / "slow.db"), inline_budget=0.001)
    try:
        await executor.execute("SELECT 1")  # opens the connection
        start = time.perf_counter()
        result, ticks = await _ticks_while(lambda: executor.execute(_COUNT_TO, (1_000_000,)))
        elapsed = time.perf_counter() - start
        assert result.scalar() == 1_000_000
        # The statement took far longer than the budget, yet other tasks got the loop.
        assert elapsed > 0.02
        assert ticks >= 3
    finally:
        await executor.close()


async def test_an_interrupted_write_is_applied_exactly_once(tmp_path: Path) -> None:
    executor = SqliteExecutor(str(tmp_path / "write.db"), inline_budget=0.0005)
    try:
        await executor.execute("CREATE TABLE t (i INTEGER PRIMARY KEY)")
        inserted = await executor.execute(
            "INSERT INTO t (i) WITH RECURSIVE n(i) AS "
            "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i FROM n",
            (200_000,),
        )
        assert inserted.rowcount == 200_000
        count = await executor.execute("SELECT COUNT(*) FROM t")
        assert count.scalar() == 200_000
    finally:
        await executor.close()


async def test_a_write_blocked_by_another_connection_waits_instead_of_failing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    executor = SqliteExecutor(str(path))
    try:
        await executor.execute("CREATE TABLE t (i INTEGER PRIMARY KEY)")
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        other.execute("INSERT INTO t (i) VALUES (1)")

        async def release_soon() -> None:
            await anyio.sleep(0.2)
            other.execute("COMMIT")

        async with anyio.create_task_group() as tg:
            tg.start_soon(release_soon)
            start = time.perf_counter()
            result = await executor.execute("INSERT INTO t (i) VALUES (2)")
            waited = time.perf_counter() - start
        other.close()
        assert result.rowcount == 1
        assert waited >= 0.15  # it waited for the lock on the thread, the loop ran the release
        rows = await executor.execute("SELECT i FROM t ORDER BY i")
        assert [r[0] for r in rows.rows] == [1, 2]
    finally:
        await executor.close()


async def test_a_long_run_of_short_statements_still_lets_other_tasks_run(
    tmp_path: Path,
) -> None:
    executor = SqliteExecutor(str(tmp_path / "fast.db"))
    try:
        await executor.execute("CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT)")

        async def many() -> int:
            for i in range(3_000):
                await executor.execute("INSERT INTO t (i, v) VALUES (?, ?)", (i, "x"))
            return 3_000

        _, ticks = await _ticks_while(many)
        assert (await executor.execute("SELECT COUNT(*) FROM t")).scalar() == 3_000
        assert ticks >= 1  # inline statements give the loop a turn every few milliseconds
    finally:
        await executor.close()


async def test_checkpoints_keep_the_wal_bounded_and_lose_no_row(tmp_path: Path) -> None:
    """The WAL is copied back beside the writer and then restarted, so it stops growing."""
    path = tmp_path / "wal.db"
    executor = SqliteExecutor(str(path), checkpoint_every=200)
    await executor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    sizes = []
    for i in range(4000):
        await executor.execute("INSERT INTO t (id, body) VALUES (?, ?)", (i, "x" * 200))
        if i % 500 == 499:
            sizes.append((path.parent / "wal.db-wal").stat().st_size)
    await executor.close()
    # Without restarts the WAL holds a frame per insert: 4,000 pages by the end. With them it
    # stays within a few checkpoint intervals of frames however long the writer runs.
    page = 4096 + 24
    assert max(sizes) < 1200 * page, sizes
    assert sizes[-1] <= max(sizes[:4]) * 1.5, sizes
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (4000,)


async def test_reads_alone_never_start_a_checkpoint(tmp_path: Path) -> None:
    """Checkpoints follow rows written: a read-only load pays no checkpoint stall."""
    executor = SqliteExecutor(str(tmp_path / "reads.db"), checkpoint_every=10)
    checkpointer = executor._checkpointer
    assert checkpointer is not None
    await executor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    for i in range(5):
        await executor.execute("INSERT INTO t (id) VALUES (?)", (i,))
    during_reads = 0
    for _ in range(2000):
        await executor.execute("SELECT id FROM t WHERE id = ?", (3,))
        during_reads += checkpointer.running
    during_writes = 0
    for i in range(5, 20):
        await executor.execute("INSERT INTO t (id) VALUES (?)", (i,))
        during_writes += checkpointer.running
    await executor.close()
    assert during_reads == 0
    assert during_writes >= 1  # ten rows written did start one
