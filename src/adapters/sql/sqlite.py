"""The embedded store: SQLite in autocommit, one statement per call.

Short statements run inline on the event loop; anything slow or blocked goes to one worker
thread. A SQLite primary-key statement costs tens of microseconds, while handing it to a
thread and back costs 0.1-0.2 ms, so the hop used to be most of every statement's cost.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.lowlevel
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

T = TypeVar("T")

# How long one statement may hold the event loop before it is interrupted and re-run on the
# worker thread (an interrupted statement is rolled back whole: autocommit makes each one
# its own transaction).
INLINE_BUDGET = 0.002
# The progress handler runs every this many SQLite VM instructions (a primary-key statement
# is a few dozen, so it never runs for them).
_PROGRESS_STEPS = 1000
# The event loop is given a turn when inline statements have held it this long in a row.
_YIELD_AFTER = 0.002
# Rows written between WAL checkpoints (see _Checkpointer); reads never trigger one.
CHECKPOINT_EVERY = 4000
_BUSY_TIMEOUT_MS = 30_000


class _Deferred(Exception):
    """The inline attempt did not run the statement (interrupted or locked): use the thread."""


class _Checkpointer:
    """Copies most of the WAL back into the database on a connection and thread of its own.

    A checkpoint fsyncs; run on the executor's connection it held every statement behind it
    (13 ms per 1,000 statements on ext4, a sixth of the time under write load). This pass
    runs beside the writer; the writer then finishes with a short checkpoint of its own for
    the frames written meanwhile, which lets the next write start the WAL from the beginning
    again (a checkpoint by another connection alone never catches up with a busy writer, and
    an ever-growing WAL makes every write slower).
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        self._done.clear()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def finished(self) -> bool:
        """True once, when a started pass has ended (then ``running`` is false again)."""
        if self._thread is None or not self._done.is_set():
            return False
        self._thread.join()
        self._thread = None
        return True

    def _run(self) -> None:
        try:
            # A pass that cannot run (the file is gone, say) leaves the work to the next one.
            with contextlib.suppress(sqlite3.Error):
                conn = sqlite3.connect(self._path, isolation_level=None, timeout=0)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    conn.close()
        finally:
            self._done.set()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()


class SqliteExecutor:
    """One connection; short statements inline, the rest serialised through one worker thread.

    SQLite allows one writer at a time anyway; a single connection also keeps ``:memory:``
    databases shared by every caller. ``isolation_level=None`` is autocommit: each statement
    commits on its own, exactly like the remote stores.

    Inline attempts never wait: the connection's busy timeout is zero for them, and a
    progress handler interrupts a statement that has run longer than ``inline_budget``
    seconds. Either way SQLite has rolled the statement back, so it is re-run on the worker
    thread with the 30 s busy timeout. While the thread holds the connection, every other
    call waits for it to finish (then goes back to running inline), so statements never
    overlap on the connection. Automatic WAL
    checkpoints are off on this connection; every ``checkpoint_every`` rows written a passive
    checkpoint runs on a connection and thread of its own, then a short one on the worker
    thread (see ``_Checkpointer``), so fsyncs never block the event loop and rarely the
    statements.
    """

    dialect = "sqlite"

    def __init__(
        self,
        path: str,
        *,
        inline_budget: float = INLINE_BUDGET,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._limiter = anyio.CapacityLimiter(1)
        self._budget = inline_budget
        self._deadline = 0.0  # 0: no deadline (the worker thread)
        self._written_at_checkpoint = 0  # the connection's total_changes then
        self._checkpoint_every = checkpoint_every
        self._held_since = 0.0
        self._thread_busy: anyio.Event | None = None
        self._checkpointer = _Checkpointer(path) if path != ":memory:" else None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            if self._path != ":memory:":
                Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            try:
                conn = sqlite3.connect(
                    self._path, isolation_level=None, check_same_thread=False, timeout=0
                )
            except sqlite3.Error as exc:
                raise DatabaseUnavailable(f"cannot open SQLite database: {exc}") from exc
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute("PRAGMA busy_timeout=0")
            conn.set_progress_handler(self._progress, _PROGRESS_STEPS)
            self._conn = conn
            self._written_at_checkpoint = 0
        return self._conn

    def _progress(self) -> int:
        deadline = self._deadline
        return 1 if deadline and time.perf_counter() > deadline else 0

    def _run(self, conn: sqlite3.Connection, sql: str, params: Sequence[SqlValue]) -> SqlResult:
        inline = bool(self._deadline)
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
            if inline and (message == "interrupted" or "locked" in message or "busy" in message):
                raise _Deferred from exc
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

    def _run_on_thread(self, sql: str, params: Sequence[SqlValue]) -> SqlResult:
        conn = self._connect()
        conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        try:
            return self._run(conn, sql, params)
        finally:
            conn.execute("PRAGMA busy_timeout=0")

    def _checkpoint(self) -> None:
        conn = self._connect()
        # A passive checkpoint that cannot run now runs next time.
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        while (busy := self._thread_busy) is not None:
            await busy.wait()  # the thread holds the connection: never overlap it
        conn = self._conn
        if conn is not None:
            checkpointer = self._checkpointer
            if checkpointer is not None:
                if checkpointer.finished():
                    await self._on_thread(self._checkpoint)
                    return await self.execute(sql, params, idempotent=idempotent)
                written = conn.total_changes
                if (
                    written - self._written_at_checkpoint >= self._checkpoint_every
                    and not checkpointer.running
                ):
                    self._written_at_checkpoint = written
                    checkpointer.start()
            now = time.perf_counter()
            if now - self._held_since > _YIELD_AFTER:
                # Inline statements do not yield by themselves: give other tasks a turn.
                await anyio.lowlevel.checkpoint()
                self._held_since = time.perf_counter()
                return await self.execute(sql, params, idempotent=idempotent)
            self._deadline = now + self._budget
            try:
                return self._run(conn, sql, params)
            except _Deferred:
                pass
            finally:
                self._deadline = 0.0
        return await self._on_thread(self._run_on_thread, sql, params)

    async def _on_thread(self, fn: Callable[..., T], *args: object) -> T:
        while (busy := self._thread_busy) is not None:
            await busy.wait()
        done = self._thread_busy = anyio.Event()
        try:
            return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)
        finally:
            self._thread_busy = None
            done.set()

    async def ping(self) -> float:
        start = time.perf_counter()
        await self.execute("SELECT 1")
        return time.perf_counter() - start

    async def close(self) -> None:
        if self._checkpointer is not None and self._checkpointer.running:
            await anyio.to_thread.run_sync(self._checkpointer.stop)
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._on_thread(conn.close)
