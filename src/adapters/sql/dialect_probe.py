"""Does the store understand every statement shape the service needs? (``fintech doctor``)

Runs, in a scratch table of its own, one statement of each shape the migrations and
repositories use, and reports each shape the store rejects (or answers wrongly) with the
store's reason. Only the ``SqlExecutor`` port is used, so it probes any store the same way;
a server with the original Elixir engine's limits fails here, clearly, instead of half-way
through a payment.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

import attrs

from ports.sql import ConstraintViolation, SqlError, SqlExecutor, SqlResult

__all__ = ["ProbeStep", "probe_dialect"]


@attrs.frozen
class ProbeStep:
    shape: str
    ok: bool
    detail: str = ""


class _WrongAnswer(Exception):
    pass


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise _WrongAnswer(message)


async def probe_dialect(executor: SqlExecutor) -> list[ProbeStep]:
    """One step per statement shape, in order; the scratch table is dropped at the end."""
    table = f"fintech_probe_{secrets.token_hex(4)}"
    steps: list[ProbeStep] = []

    async def run(shape: str, check: Callable[[], Awaitable[None]]) -> bool:
        try:
            await check()
        except _WrongAnswer as exc:
            steps.append(ProbeStep(shape, False, f"wrong answer: {exc}"))
            return False
        except SqlError as exc:
            steps.append(ProbeStep(shape, False, f"rejected ({type(exc).__name__}): {exc}"))
            return False
        steps.append(ProbeStep(shape, True))
        return True

    async def sql(statement: str, *params: str | int | None) -> SqlResult:
        return await executor.execute(statement, params)

    async def create_table() -> None:
        await executor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, owner TEXT NOT NULL, "
            "amount BIGINT NOT NULL, n INTEGER NOT NULL, note TEXT, UNIQUE (owner, n))",
            idempotent=True,
        )

    async def create_index() -> None:
        await executor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_owner ON {table} (owner)", idempotent=True
        )

    insert = f"INSERT INTO {table} (id, owner, amount, n, note) VALUES (?, ?, ?, ?, ?)"

    async def insert_rows() -> None:
        rows = [("a", "o1", 10**12, 1, None), ("b", "o1", 5, 2, None), ("c", "o2", 7, 1, "x")]
        for row in rows:
            _expect((await sql(insert, *row)).rowcount == 1, "INSERT did not report 1 row")

    async def unique_pair() -> None:
        try:
            await sql(insert, "d", "o1", 1, 1, None)
        except ConstraintViolation:
            return
        raise _WrongAnswer("a duplicate (owner, n) pair was accepted")

    async def on_conflict() -> None:
        result = await sql(insert + " ON CONFLICT DO NOTHING", "a", "o1", 1, 9, None)
        _expect(result.rowcount == 0, "a conflicting INSERT … ON CONFLICT DO NOTHING wrote a row")

    async def conditional_update() -> None:
        statement = f"UPDATE {table} SET note = ? WHERE id = ? AND note IS NULL"
        first = (await sql(statement, "claimed", "b")).rowcount
        second = (await sql(statement, "claimed", "b")).rowcount
        _expect((first, second) == (1, 0), f"affected rows {first}, {second} (expected 1, 0)")

    async def aggregate_select() -> None:
        result = await sql(
            f"SELECT owner, SUM(amount) AS total, COUNT(*) AS n FROM {table} "
            "WHERE owner IN (?, ?) AND id <> ? AND (note IS NULL OR amount >= ?) "
            "GROUP BY owner ORDER BY owner DESC LIMIT ? OFFSET ?",
            "o1", "o2", "zz", 0, 5, 0,
        )  # fmt: skip
        got = [(r["owner"], r["total"], r["n"]) for r in result.mappings()]
        _expect(got == [("o2", 7, 1), ("o1", 10**12 + 5, 2)], f"got {got}")

    async def delete() -> None:
        _expect(
            (await sql(f"DELETE FROM {table} WHERE id = ?", "c")).rowcount == 1,
            "DELETE did not report 1 row",
        )

    async def drop() -> None:
        await executor.execute(f"DROP TABLE {table}", idempotent=True)

    if not await run("CREATE TABLE (TEXT, INTEGER, BIGINT, UNIQUE on two columns)", create_table):
        return steps
    try:
        await run("CREATE INDEX", create_index)
        if await run("INSERT", insert_rows):
            await run("UNIQUE on two columns refuses a duplicate", unique_pair)
            await run("INSERT … ON CONFLICT DO NOTHING", on_conflict)
            await run("conditional UPDATE reports affected rows", conditional_update)
            await run(
                "SELECT with SUM, COUNT, GROUP BY, ORDER BY, LIMIT/OFFSET, IN, IS NULL",
                aggregate_select,
            )
            await run("DELETE reports affected rows", delete)
    finally:
        await run("DROP TABLE", drop)
    return steps
