"""``TracedExecutor``: any ``SqlExecutor`` plus a span, a duration metric and a debug log line.

Applied once in the ``StoreProvider``, so every repository's statements are observed. Spans
carry ``db.system``, ``db.operation`` and the statement template (``?`` placeholders, never
parameter values). The SQL span is the current span while the inner executor runs, so an
HTTP-based executor propagating W3C trace context links the database's work to it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import lru_cache

import structlog
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from entrypoints.observability.metrics import Metrics
from ports.sql import SqlExecutor, SqlResult, SqlValue

__all__ = ["TracedExecutor", "statement_operation"]

log = structlog.get_logger("fintech.sql")
_DB_SYSTEM = {"sqlite": "sqlite", "postgresql": "postgresql"}
_MAX_STATEMENT = 2000


@lru_cache(maxsize=2048)
def statement_operation(sql: str) -> str:
    """The statement's leading keyword (``SELECT``, ``INSERT``, ...)."""
    words = sql.lstrip().split(None, 1)
    return words[0].upper() if words else "UNKNOWN"


class TracedExecutor:
    """Decorates an executor; behaviour and errors are the inner executor's, unchanged."""

    def __init__(self, inner: SqlExecutor, metrics: Metrics, tracer: Tracer | None) -> None:
        self._inner = inner
        self._metrics = metrics
        self._tracer = tracer
        self._system = _DB_SYSTEM.get(inner.dialect, "other_sql")

    @property
    def dialect(self) -> str:
        return self._inner.dialect

    @property
    def inner(self) -> SqlExecutor:
        return self._inner

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        operation = statement_operation(sql)
        start = time.perf_counter()
        outcome = "ok"
        try:
            if self._tracer is None:
                return await self._inner.execute(sql, params, idempotent=idempotent)
            with self._tracer.start_as_current_span(
                f"{operation} {self._system}",
                kind=SpanKind.CLIENT,
                attributes={
                    "db.system": self._system,
                    "db.operation": operation,
                    "db.statement": sql[:_MAX_STATEMENT],
                },
                record_exception=False,
                set_status_on_exception=False,
            ) as span:
                try:
                    result = await self._inner.execute(sql, params, idempotent=idempotent)
                except Exception as exc:
                    # The error type only: driver messages can quote values.
                    span.set_attribute("error.type", type(exc).__name__)
                    span.set_status(Status(StatusCode.ERROR))
                    raise
                span.set_attribute("db.response.returned_rows", len(result.rows))
                return result
        except Exception as exc:
            outcome = type(exc).__name__
            raise
        finally:
            seconds = time.perf_counter() - start
            self._metrics.observe_sql(self._system, operation, outcome, seconds)
            log.debug(
                "sql_statement",
                operation=operation,
                duration_ms=round(seconds * 1000, 3),
                outcome=outcome,
            )

    async def ping(self) -> float:
        outcome = "ok"
        start = time.perf_counter()
        try:
            if self._tracer is None:
                return await self._inner.ping()
            with self._tracer.start_as_current_span(
                f"PING {self._system}",
                kind=SpanKind.CLIENT,
                attributes={"db.system": self._system, "db.operation": "PING"},
            ):
                return await self._inner.ping()
        except Exception as exc:
            outcome = type(exc).__name__
            raise
        finally:
            self._metrics.observe_sql(self._system, "PING", outcome, time.perf_counter() - start)

    async def close(self) -> None:
        await self._inner.close()
