"""Statements per second and latency through each SQL executor.

Primary-key insert, primary-key select and a 50-row select, sequentially, on one connection.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio

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


async def _main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await run_store("sqlite (file, WAL)", SqliteExecutor(str(Path(tmp) / "bench.db")))


def main() -> None:
    print("== SQL executors (python -m benchmarks sql)")
    anyio.run(_main)
