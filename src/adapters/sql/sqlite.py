"""The embedded store: SQLite in autocommit, one statement per call, off the event loop."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import anyio
import anyio.to_thread

from ports.sql import (
    ConstraintViolation,
    DatabaseError,
    DatabaseUnavailable,
    SqlResult,
    SqlValue,
    StatementRejected,
)

__all__ = ["SqliteExecutor"]


class SqliteExecutor:
    """One connection, serialised through a single worker thread.

    SQLite allows one writer at a time anyway; a single connection also keeps
    ``:memory:`` databases shared by every caller. ``isolation_level=None`` is autocommit:
    each statement commits on its own, exactly like the remote stores.
    """

    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._limiter = anyio.CapacityLimiter(1)

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            if self._path != ":memory:":
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(
                    self._path, isolation_level=None, check_same_thread=False, timeout=30
                )
            except sqlite3.Error as exc:
                raise DatabaseUnavailable(f"cannot open SQLite database: {exc}") from exc
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
        return self._conn

    def _run(self, sql: str, params: Sequence[SqlValue]) -> SqlResult:
        conn = self._connect()
        try:
            cur = conn.execute(sql, tuple(params))
            rows = cur.fetchall()
        except sqlite3.IntegrityError as exc:
            # A missing NOT NULL value is a bug in the statement, not a conflict the caller
            # may interpret as "already there" (the same split as the Elixir contract's).
            if "NOT NULL constraint failed" in str(exc):
                raise StatementRejected(f"not_null: {exc}") from exc
            raise ConstraintViolation(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if "locked" in message or "busy" in message:
                raise DatabaseUnavailable(message) from exc
            raise StatementRejected(message) from exc
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError) as exc:
            raise StatementRejected(str(exc)) from exc
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc
        columns = tuple(d[0] for d in cur.description) if cur.description else ()
        rowcount = cur.rowcount if cur.rowcount >= 0 else 0
        return SqlResult(columns=columns, rows=tuple(rows), rowcount=rowcount)

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        return await anyio.to_thread.run_sync(self._run, sql, params, limiter=self._limiter)

    async def ping(self) -> float:
        start = time.perf_counter()
        await self.execute("SELECT 1")
        return time.perf_counter() - start

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await anyio.to_thread.run_sync(conn.close, limiter=self._limiter)
