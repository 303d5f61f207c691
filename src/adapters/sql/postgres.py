"""PostgreSQL through asyncpg, for teams that run several service instances on one store.

Autocommit, one statement per call, like every store. Each pooled connection keeps its own
prepared statements, which tell us the parameter types PostgreSQL inferred, so values can be
coerced the way SQLite would store them (``postgres_wire``): repositories behave the same on
both stores.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Sequence

import anyio
import asyncpg
import attrs
from asyncpg.prepared_stmt import PreparedStatement

from adapters.sql.literals import LiteralRefused, check_value, split_placeholders
from adapters.sql.policy import RetryPolicy, describe, log_statement, run_with_retries
from adapters.sql.postgres_wire import (
    coerce_param,
    decode_value,
    indeterminate_parameter,
    rowcount_from_status,
    to_dollar_params,
    translate_error,
)
from ports.sql import (
    ConstraintViolation,
    DatabaseUnavailable,
    SqlError,
    SqlResult,
    SqlValue,
    StatementRejected,
)

__all__ = ["PostgresConfig", "PostgresExecutor"]

_DML = frozenset({"select", "insert", "update", "delete", "with", "values"})
_STATEMENTS_PER_CONNECTION = 256


@attrs.frozen
class PostgresConfig:
    dsn: str = attrs.field(repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    retries: int = 3
    pool_size: int = 10


class _Connection:
    """A pooled connection and its prepared statements (least recently used first)."""

    def __init__(self, raw: asyncpg.Connection) -> None:
        self.raw = raw
        self.statements: OrderedDict[str, PreparedStatement] = OrderedDict()

    async def prepared(self, sql: str, seconds: float) -> PreparedStatement:
        stmt = self.statements.get(sql)
        if stmt is not None:
            self.statements.move_to_end(sql)
            return stmt
        stmt = await self.raw.prepare(sql, timeout=seconds)
        self.statements[sql] = stmt
        if len(self.statements) > _STATEMENTS_PER_CONNECTION:
            self.statements.popitem(last=False)
        return stmt


class PostgresExecutor:
    """A bounded pool of asyncpg connections, opened lazily, dropped when in doubt."""

    dialect = "postgresql"

    def __init__(self, config: PostgresConfig) -> None:
        self._config = config
        self._policy = RetryPolicy(retries=config.retries, total_timeout=config.total_timeout)
        self._slots = anyio.Semaphore(config.pool_size)
        # Idle connections per event loop: an asyncpg connection belongs to the loop that
        # opened it, and using it from another (a test client's thread, a second app on one
        # executor) corrupts its protocol state.
        self._idle: dict[asyncio.AbstractEventLoop, deque[_Connection]] = {}
        self._closed = False
        self._casts: dict[str, tuple[tuple[int, str], ...]] = {}  # learned parameter types

    async def _connect(self, remaining: float) -> _Connection:
        try:
            raw = await asyncpg.connect(
                self._config.dsn,
                timeout=min(self._config.connect_timeout, remaining),
                statement_cache_size=0,  # we keep our own prepared statements
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {exc!r}") from exc
        return _Connection(raw)

    def _idle_here(self) -> deque[_Connection]:
        return self._idle.setdefault(asyncio.get_running_loop(), deque())

    async def _checkout(self, remaining: float) -> _Connection:
        idle = self._idle_here()
        while idle:
            conn = idle.pop()
            if not conn.raw.is_closed():
                return conn
        return await self._connect(remaining)

    def _checkin(self, conn: _Connection, healthy: bool) -> None:
        if healthy and not self._closed and not conn.raw.is_closed():
            self._idle_here().append(conn)
        else:
            conn.raw.terminate()

    async def _attempt(self, sql: str, params: Sequence[SqlValue], remaining: float) -> SqlResult:
        if remaining <= 0:
            raise DatabaseUnavailable("the total SQL timeout ran out before sending")
        if self._closed:
            raise DatabaseUnavailable("the executor is closed")
        timeout = min(self._config.read_timeout, remaining)
        try:
            with anyio.fail_after(min(self._config.connect_timeout, remaining)):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise DatabaseUnavailable("no PostgreSQL connection free in time") from exc
        healthy = False
        try:
            conn = await self._checkout(remaining)
            try:
                result = await self._run(conn, sql, params, timeout)
                healthy = True
                return result
            except SqlError as exc:
                healthy = isinstance(exc, (ConstraintViolation, StatementRejected))
                raise
            finally:
                self._checkin(conn, healthy)
        finally:
            self._slots.release()

    async def _run(
        self, conn: _Connection, sql: str, params: Sequence[SqlValue], seconds: float
    ) -> SqlResult:
        if not params and describe(sql).kind not in _DML:
            try:  # DDL: simple protocol, nothing to prepare or cache
                status = await conn.raw.execute(sql, timeout=seconds)
            except Exception as exc:
                raise translate_error(exc, sent=True) from exc
            return SqlResult(rowcount=rowcount_from_status(status))
        casts = self._casts.get(sql, ())
        replanned = False
        while True:
            pgsql = to_dollar_params(sql, casts)
            try:
                stmt = await conn.prepared(pgsql, seconds)
            except asyncpg.IndeterminateDatatypeError as exc:
                # "could not determine data type of parameter $n" (``? IS NULL``): pin that
                # parameter's type from its value and remember it for this statement.
                casts = self._pin(sql, casts, params, exc)
                continue
            except Exception as exc:
                raise translate_error(exc, sent=False) from exc  # a Parse runs nothing
            types = stmt.get_parameters()
            if len(types) != len(params):
                raise StatementRejected(
                    f"statement takes {len(types)} parameter(s), got {len(params)}"
                )
            args = [
                coerce_param(value, param.name, index)
                for index, (value, param) in enumerate(zip(params, types, strict=True))
            ]
            try:
                records = await stmt.fetch(*args, timeout=seconds)
            except asyncpg.FeatureNotSupportedError as exc:
                # "cached plan must not change result type": the schema changed under a
                # prepared statement; PostgreSQL refused it before running, so prepare again.
                conn.statements.pop(pgsql, None)
                if replanned:
                    raise translate_error(exc, sent=True) from exc
                replanned = True
                continue
            except asyncpg.DataError as exc:
                raise StatementRejected(f"invalid_type: {exc}") from exc
            except Exception as exc:
                raise translate_error(exc, sent=True) from exc
            columns = tuple(attr.name for attr in stmt.get_attributes())
            rows = tuple(tuple(decode_value(v) for v in record) for record in records)
            return SqlResult(
                columns=columns, rows=rows, rowcount=rowcount_from_status(stmt.get_statusmsg())
            )

    def _pin(
        self,
        sql: str,
        casts: tuple[tuple[int, str], ...],
        params: Sequence[SqlValue],
        exc: Exception,
    ) -> tuple[tuple[int, str], ...]:
        n = indeterminate_parameter(exc)
        if not 1 <= n <= len(params) or n in dict(casts):
            raise translate_error(exc, sent=False) from exc
        value = params[n - 1]
        pinned = "text" if value is None or isinstance(value, str) else "bigint"
        casts = tuple(sorted((*casts, (n, pinned))))
        self._casts[sql] = casts
        return casts

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        statement = describe(sql)
        for index, value in enumerate(params):
            check_value(value, index, inline=False)
            if isinstance(value, str) and "\x00" in value:
                raise LiteralRefused(f"parameter {index + 1}: PostgreSQL text cannot hold NUL")
        if len(split_placeholders(sql)) - 1 != len(params):
            raise StatementRejected(
                f"statement has {len(split_placeholders(sql)) - 1} placeholder(s) "
                f"but {len(params)} parameter(s)"
            )
        start = time.perf_counter()

        async def attempt(remaining: float) -> SqlResult:
            return await self._attempt(sql, params, remaining)

        try:
            result, tries = await run_with_retries(
                attempt,
                self._policy,
                read=statement.is_read,
                idempotent=idempotent,
                store="postgresql",
                statement=statement,
            )
        except SqlError as exc:
            reason = str(exc)[:200]
            log_statement("postgresql", statement, start, outcome=type(exc).__name__, reason=reason)
            raise
        log_statement(
            "postgresql",
            statement,
            start,
            attempts=tries,
            rows=len(result.rows),
            rowcount=result.rowcount,
        )
        return result

    async def ping(self) -> float:
        start = time.perf_counter()
        await self.execute("SELECT 1")
        return time.perf_counter() - start

    async def close(self) -> None:
        self._closed = True
        here = asyncio.get_running_loop()
        pools, self._idle = self._idle, {}
        for loop, idle in pools.items():
            while idle:
                conn = idle.pop()
                if loop is not here:
                    conn.raw.terminate()  # another loop's connection: no awaiting on it here
                    continue
                try:
                    await conn.raw.close(timeout=2)
                except Exception:
                    conn.raw.terminate()
