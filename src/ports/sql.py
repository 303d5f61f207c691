"""The SQL boundary: one statement with bound parameters, no transactions.

Every store (embedded SQLite, the Elixir SQL-over-HTTP database, PostgreSQL) implements
``SqlExecutor`` and translates its failures into the errors below, so repositories and
workflows never see a driver exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol, TypeAlias

import attrs

SqlValue: TypeAlias = str | int | bool | None
Row: TypeAlias = tuple[SqlValue, ...]


@attrs.frozen
class SqlResult:
    """Rows (as tuples in ``columns`` order) and the affected-row count of one statement."""

    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    rowcount: int = 0

    def mappings(self) -> Iterator[dict[str, SqlValue]]:
        """Each row as a dict keyed by column name."""
        cols = self.columns
        for row in self.rows:
            yield dict(zip(cols, row, strict=True))

    def first(self) -> dict[str, SqlValue] | None:
        """The first row as a dict, or None."""
        if not self.rows:
            return None
        return dict(zip(self.columns, self.rows[0], strict=True))

    def scalar(self) -> SqlValue:
        """The first column of the first row, or None."""
        return self.rows[0][0] if self.rows else None


class SqlError(Exception):
    """Base of every error an executor raises."""

    retryable: bool = False


class ConstraintViolation(SqlError):
    """A uniqueness (or other) constraint refused the write; the caller decides what it means."""


class StatementRejected(SqlError):
    """The statement does not fit the schema or dialect: a bug, never retried."""


class DatabaseError(SqlError):
    """The store failed in a way that says nothing about whether the statement ran."""


class DatabaseUnavailable(SqlError):
    """The store did not run the statement (refused, down, 502/503/504): safe to retry."""

    retryable = True


class OutcomeUnknown(SqlError):
    """The statement was sent but its fate is unknown (timeout, dropped connection)."""


class SqlExecutor(Protocol):
    """Runs exactly one statement atomically; ``?`` placeholders, positional parameters."""

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql`` or ``elixir``."""
        ...

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        """Run one statement.

        ``idempotent`` tells the executor that repeating the statement cannot change the
        outcome (reads are always treated so), which allows retrying it when its first
        outcome is unknown.
        """
        ...

    async def ping(self) -> float:
        """Round-trip to the store; returns the latency in seconds or raises ``SqlError``."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def as_int(value: SqlValue) -> int:
    """An integer column value (drivers may hand back bools for 0/1)."""
    if value is None:
        raise TypeError("expected an integer, got NULL")
    return int(value)


def row_dict(result: SqlResult) -> Mapping[str, SqlValue] | None:
    """Alias of ``SqlResult.first`` for readability in repositories."""
    return result.first()
