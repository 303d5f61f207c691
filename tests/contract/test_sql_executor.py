"""The SqlExecutor contract: every store behaves the same for the dialect the service uses."""

from __future__ import annotations

import anyio
import pytest

from adapters.sql.dialect_probe import probe_dialect
from adapters.sql.migrator import Migrator, load_migrations
from ports.sql import ConstraintViolation, SqlExecutor, StatementRejected

pytestmark = pytest.mark.anyio

DDL = """CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    amount BIGINT NOT NULL,
    note TEXT,
    flag INTEGER NOT NULL DEFAULT 0,
    UNIQUE (owner, note)
)"""


async def _setup(executor: SqlExecutor) -> None:
    await executor.execute(DDL)


async def test_insert_then_select_returns_named_columns(executor: SqlExecutor) -> None:
    await _setup(executor)
    inserted = await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)", ("i1", "o1", 1999, "x")
    )
    assert inserted.rowcount == 1
    result = await executor.execute(
        "SELECT id, owner, amount, note FROM items WHERE id = ?", ("i1",)
    )
    assert result.columns == ("id", "owner", "amount", "note")
    assert result.first() == {"id": "i1", "owner": "o1", "amount": 1999, "note": "x"}


async def test_values_round_trip_exactly(executor: SqlExecutor) -> None:
    await _setup(executor)
    tricky = 'O\'Brien; DROP TABLE items; -- "quoted" ünïcødé 🙂 \\ %s ?'
    big = 10**12 * 1000
    await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)", ("i1", "o", big, tricky)
    )
    await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)", ("i2", "o", -5, None)
    )
    rows = list(
        (await executor.execute("SELECT id, amount, note FROM items ORDER BY id")).mappings()
    )
    assert rows == [
        {"id": "i1", "amount": big, "note": tricky},
        {"id": "i2", "amount": -5, "note": None},
    ]
    assert (await executor.execute("SELECT COUNT(*) AS n FROM items")).scalar() == 2


async def test_conditional_update_reports_who_won(executor: SqlExecutor) -> None:
    await _setup(executor)
    await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)", ("i1", "o", 1, "a")
    )
    sql = "UPDATE items SET note = ? WHERE id = ? AND note = ?"
    first = await executor.execute(sql, ("b", "i1", "a"))
    second = await executor.execute(sql, ("b", "i1", "a"))
    assert (first.rowcount, second.rowcount) == (1, 0)


async def test_concurrent_conditional_updates_have_exactly_one_winner(
    executor: SqlExecutor,
) -> None:
    await _setup(executor)
    await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)", ("i1", "o", 1, "open")
    )
    counts: list[int] = []

    async def claim(n: int) -> None:
        result = await executor.execute(
            "UPDATE items SET note = ? WHERE id = ? AND note = ?", (f"claimed-{n}", "i1", "open")
        )
        counts.append(result.rowcount)

    async with anyio.create_task_group() as tg:
        for n in range(20):
            tg.start_soon(claim, n)
    assert sorted(counts) == [0] * 19 + [1]


async def test_duplicate_primary_key_is_a_constraint_violation(executor: SqlExecutor) -> None:
    await _setup(executor)
    sql = "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)"
    await executor.execute(sql, ("i1", "o", 1, "a"))
    with pytest.raises(ConstraintViolation):
        await executor.execute(sql, ("i1", "o", 2, "b"))
    with pytest.raises(ConstraintViolation):
        await executor.execute(sql, ("i2", "o", 2, "a"))  # UNIQUE (owner, note)
    assert (await executor.execute("SELECT COUNT(*) FROM items")).scalar() == 1


async def test_on_conflict_do_nothing_is_idempotent(executor: SqlExecutor) -> None:
    await _setup(executor)
    sql = "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
    assert (await executor.execute(sql, ("i1", "o", 1, "a"))).rowcount == 1
    assert (await executor.execute(sql, ("i1", "o", 1, "a"))).rowcount == 0


async def test_not_null_and_unknown_tables_are_rejected_statements(executor: SqlExecutor) -> None:
    await _setup(executor)
    with pytest.raises(StatementRejected):  # a bug, never mistaken for "already there"
        await executor.execute(
            "INSERT INTO items (id, owner, amount) VALUES (?, ?, ?)", ("i", None, 1)
        )
    with pytest.raises(StatementRejected):
        await executor.execute("SELECT * FROM no_such_table")
    with pytest.raises(StatementRejected):
        await executor.execute("SELEC nonsense")


async def test_aggregates_group_by_order_limit_offset(executor: SqlExecutor) -> None:
    await _setup(executor)
    for i in range(10):
        await executor.execute(
            "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)",
            (f"i{i:02d}", f"o{i % 2}", i * 100, f"n{i}"),
        )
    sums = await executor.execute(
        "SELECT owner, SUM(amount) AS total, COUNT(*) AS n FROM items GROUP BY owner ORDER BY owner"
    )
    assert list(sums.mappings()) == [
        {"owner": "o0", "total": 2000, "n": 5},
        {"owner": "o1", "total": 2500, "n": 5},
    ]
    page = await executor.execute(
        "SELECT id FROM items WHERE amount >= ? AND owner IN (?, ?) "
        "ORDER BY id DESC LIMIT ? OFFSET ?",
        (200, "o0", "o1", 3, 1),
    )
    assert [r[0] for r in page.rows] == ["i08", "i07", "i06"]


async def test_delete_reports_affected_rows(executor: SqlExecutor) -> None:
    await _setup(executor)
    await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)", ("i1", "o", 1, None)
    )
    assert (await executor.execute("DELETE FROM items WHERE id = ?", ("i1",))).rowcount == 1
    assert (await executor.execute("DELETE FROM items WHERE id = ?", ("i1",))).rowcount == 0


async def test_ping_measures_a_round_trip(executor: SqlExecutor) -> None:
    assert await executor.ping() >= 0


async def test_migrations_apply_once_and_are_recorded(executor: SqlExecutor) -> None:
    migrator = Migrator(executor)
    first = await migrator.migrate()
    assert [m.version for m in first] == [m.version for m in load_migrations()]
    assert await migrator.migrate() == []
    assert await migrator.pending() == []
    recorded = await executor.execute("SELECT version FROM schema_migrations ORDER BY version")
    assert [r[0] for r in recorded.rows] == [m.version for m in load_migrations()]


async def test_booleans_and_64_bit_integers_store_the_same_everywhere(
    executor: SqlExecutor,
) -> None:
    await _setup(executor)
    sql = "INSERT INTO items (id, owner, amount, note, flag) VALUES (?, ?, ?, ?, ?)"
    await executor.execute(sql, ("max", "o", 2**63 - 1, None, True))
    await executor.execute(sql, ("min", "o", -(2**63 - 1), "x", False))
    rows = await executor.execute(
        "SELECT id, amount, flag FROM items WHERE flag = ? OR note IS NULL ORDER BY id", (True,)
    )
    assert list(rows.mappings()) == [{"id": "max", "amount": 2**63 - 1, "flag": 1}]
    other = await executor.execute("SELECT amount FROM items WHERE flag <> ?", (1,))
    assert other.scalar() == -(2**63 - 1)


async def test_question_marks_inside_string_literals_are_not_placeholders(
    executor: SqlExecutor,
) -> None:
    await _setup(executor)
    await executor.execute(
        "INSERT INTO items (id, owner, amount, note) VALUES (?, 'who?', ?, 'why?')", ("i1", 5)
    )
    row = await executor.execute(
        "SELECT id, owner FROM items WHERE note = 'why?' AND amount = ?", (5,)
    )
    assert row.first() == {"id": "i1", "owner": "who?"}


async def test_the_dialect_probe_accepts_every_shape_the_service_needs(
    executor: SqlExecutor,
) -> None:
    steps = await probe_dialect(executor)
    assert [s for s in steps if not s.ok] == []
    assert len(steps) == 9


async def test_optional_filters_written_as_placeholder_is_null_work_everywhere(
    executor: SqlExecutor,
) -> None:
    await _setup(executor)
    for i, owner in enumerate(("o1", "o2", "o1")):
        await executor.execute(
            "INSERT INTO items (id, owner, amount, note) VALUES (?, ?, ?, ?)",
            (f"i{i}", owner, i * 10, None),
        )
    sql = (
        "SELECT id FROM items WHERE (? IS NULL OR owner = ?) AND (? IS NULL OR amount >= ?) "
        "ORDER BY id"
    )
    ids = [r[0] for r in (await executor.execute(sql, (None, None, None, None))).rows]
    assert ids == ["i0", "i1", "i2"]
    ids = [r[0] for r in (await executor.execute(sql, ("o1", "o1", 5, 5))).rows]
    assert ids == ["i2"]
    ids = [r[0] for r in (await executor.execute(sql, (None, None, 10, 10))).rows]
    assert ids == ["i1", "i2"]
