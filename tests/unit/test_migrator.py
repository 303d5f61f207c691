from __future__ import annotations

import pytest

from adapters.sql.migrator import Migration, Migrator, load_migrations, split_statements
from adapters.sql.sqlite import SqliteExecutor

pytestmark = pytest.mark.anyio


def test_split_statements_handles_comments_and_multiline() -> None:
    text = """-- header
CREATE TABLE a (
    id TEXT PRIMARY KEY -- trailing comment
);

CREATE INDEX IF NOT EXISTS a_id ON a (id);
"""
    assert split_statements(text) == (
        "CREATE TABLE a (\n    id TEXT PRIMARY KEY\n)",
        "CREATE INDEX IF NOT EXISTS a_id ON a (id)",
    )


def test_shipped_migrations_are_numbered_uniquely_and_in_order() -> None:
    migrations = load_migrations()
    versions = [m.version for m in migrations]
    assert versions == sorted(set(versions))
    assert versions[0] == 1
    assert all(m.statements for m in migrations)


async def test_a_migration_interrupted_half_way_completes_on_the_next_run() -> None:
    executor = SqliteExecutor(":memory:")
    broken = Migration(2, "two", ("CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY)", "SELEC x"))
    fixed = Migration(
        2,
        "two",
        (
            "CREATE TABLE IF NOT EXISTS t (id TEXT PRIMARY KEY)",
            "CREATE INDEX IF NOT EXISTS t_id ON t (id)",
        ),
    )
    first = Migration(1, "one", ("CREATE TABLE IF NOT EXISTS s (id TEXT PRIMARY KEY)",))
    with pytest.raises(Exception, match="syntax"):
        await Migrator(executor, [first, broken]).migrate()
    assert [m.version for m in await Migrator(executor, [first, fixed]).pending()] == [2]
    applied = await Migrator(executor, [first, fixed]).migrate()
    assert [m.version for m in applied] == [2]
    await executor.close()
