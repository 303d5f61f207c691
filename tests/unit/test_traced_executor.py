"""``TracedExecutor`` changes nothing the caller sees, and records failures by type only."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from entrypoints.observability.metrics import Metrics
from entrypoints.observability.sql import TracedExecutor, statement_operation
from entrypoints.observability.tracing import Tracing
from ports.sql import ConstraintViolation, SqlResult, SqlValue

pytestmark = pytest.mark.anyio


class RefusingExecutor:
    dialect = "postgresql"

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[SqlValue, ...], bool]] = []

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        self.calls.append((sql, tuple(params), idempotent))
        raise ConstraintViolation(f"duplicate key value ({params[0]!r})")

    async def ping(self) -> float:
        return 0.001

    async def close(self) -> None:
        return None


def test_the_operation_is_the_leading_keyword() -> None:
    assert statement_operation("  select * from t") == "SELECT"
    assert statement_operation("INSERT INTO t VALUES (?)") == "INSERT"
    assert statement_operation("") == "UNKNOWN"


async def test_failures_pass_through_unchanged_and_are_recorded_by_type() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.with_exporter(exporter, batch=False)
    inner = RefusingExecutor()
    metrics = Metrics()
    traced = TracedExecutor(inner, metrics, tracing.tracer)
    with pytest.raises(ConstraintViolation):
        await traced.execute("INSERT INTO t (k) VALUES (?)", ("tok_secret_value",), idempotent=True)
    assert inner.calls == [("INSERT INTO t (k) VALUES (?)", ("tok_secret_value",), True)]
    assert traced.dialect == "postgresql"
    (span,) = exporter.get_finished_spans()
    assert span.name == "INSERT postgresql"
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "ConstraintViolation"
    assert "tok_secret_value" not in repr(dict(span.attributes)) + repr(span.events)
    text = metrics.exposition().decode()
    assert 'outcome="ConstraintViolation"' in text
    assert 'db_system="postgresql"' in text
    tracing.shutdown()


async def test_without_tracing_statements_are_still_timed() -> None:
    metrics = Metrics()
    traced = TracedExecutor(RefusingExecutor(), metrics, None)
    with pytest.raises(ConstraintViolation):
        await traced.execute("UPDATE t SET k = ?", (1,))
    assert await traced.ping() == 0.001
    text = metrics.exposition().decode()
    assert 'operation="UPDATE"' in text
    assert 'operation="PING"' in text
