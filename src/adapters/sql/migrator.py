"""Applies the versioned SQL files through the ``SqlExecutor`` port, one statement at a time.

Each migration's statements are written to be repeatable (``IF NOT EXISTS``), so a crash in
the middle of one is repaired by running the migrator again; the version row is written last.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources

import attrs

from ports.sql import ConstraintViolation, SqlExecutor

__all__ = ["Migration", "Migrator", "load_migrations", "split_statements"]

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""


@attrs.frozen
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(text: str) -> tuple[str, ...]:
    """Split a migration file into statements: each ends with ``;`` at the end of a line."""
    statements: list[str] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.split("--", 1)[0].rstrip()
        if not line.strip():
            continue
        current.append(line)
        if line.endswith(";"):
            statements.append("\n".join(current)[:-1].strip())
            current = []
    if current:
        statements.append("\n".join(current).strip())
    return tuple(s for s in statements if s)


def load_migrations(package: str = "adapters.sql.migrations") -> tuple[Migration, ...]:
    """Every ``NNNN_name.sql`` file shipped in ``package``, ordered by version."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        found.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                statements=split_statements(entry.read_text(encoding="utf-8")),
            )
        )
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise ValueError(f"duplicate migration versions in {package}: {versions}")
    return tuple(found)


@attrs.define
class Migrator:
    executor: SqlExecutor
    migrations: Sequence[Migration] = attrs.field(factory=load_migrations)

    async def applied(self) -> set[int]:
        await self.executor.execute(_CREATE_TABLE, idempotent=True)
        result = await self.executor.execute("SELECT version FROM schema_migrations")
        return {int(row[0]) for row in result.rows if row[0] is not None}

    async def pending(self) -> list[Migration]:
        done = await self.applied()
        return [m for m in self.migrations if m.version not in done]

    async def migrate(
        self, on_applied: Callable[[Migration], None] | None = None
    ) -> list[Migration]:
        """Apply every pending migration in order; returns the ones applied now."""
        applied: list[Migration] = []
        for migration in await self.pending():
            for statement in migration.statements:
                await self.executor.execute(statement, idempotent=True)
            try:
                await self.executor.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, datetime.now(UTC).isoformat()),
                    idempotent=True,
                )
            except ConstraintViolation:
                continue  # another instance recorded it first
            applied.append(migration)
            if on_applied is not None:
                on_applied(migration)
        return applied
