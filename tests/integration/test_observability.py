"""One request, seen three ways: its access log line, its trace, and its metrics."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from structlog.testing import capture_logs

from entrypoints.http.app import create_app
from entrypoints.observability.logging import add_request_context, configure_logging
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings
from ports.metrics import OperationsMetrics
from tests.auth import auth_headers
from tests.fakes import FakeSystemProvider, override

pytestmark = pytest.mark.anyio

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN = "00f067aa0ba902b7"
ADMIN = "usr_00000000000000000000000009"
# db.system of the store the suite runs on (FINTECH_TEST_STORE; the Elixir store has no
# registered OpenTelemetry name).
DB_SYSTEM = {"sqlite": "sqlite", "postgresql": "postgresql"}.get(
    os.environ.get("FINTECH_TEST_STORE") or "sqlite", "other_sql"
)


@pytest.fixture(autouse=True)
def debug_level() -> Iterator[None]:
    configure_logging("DEBUG", "json")
    yield
    configure_logging("WARNING", "console")


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def traced(
    settings: Settings, exporter: InMemorySpanExporter
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    tracing = Tracing.with_exporter(exporter, batch=False)
    app = create_app(settings, FakeSystemProvider(), override(Tracing, tracing))
    async with AsyncTestClient(app=app) as client:
        exporter.clear()  # start-up migrations are traced too; keep only the request's spans
        yield client
    tracing.shutdown()


def metric_value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


async def test_one_access_log_line_per_request_with_route_template_and_principal(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    headers = auth_headers(settings, user_id=ADMIN, roles=("admin",))
    with capture_logs() as logs:
        await client.get("/health/live")
        await client.post("/v1/admin/maintenance", json={"enabled": False}, headers=headers)
        await client.get("/nowhere/at/all")
    access = [e for e in logs if e["event"] == "http_request"]
    assert len(access) == 3
    live, admin, missing = access
    assert live["method"] == "GET"
    assert live["route"] == "/health/live"
    assert live["status"] == 200
    assert live["duration_ms"] >= 0
    assert live["principal_id"] is None
    assert len(live["request_id"]) == 32
    assert admin["route"] == "/v1/admin/maintenance"
    assert admin["principal_id"] == ADMIN
    assert admin["status"] == 200
    assert missing["route"] == "<unmatched>"
    assert missing["status"] == 404
    for entry in access:  # never personal data or credentials
        assert "authorization" not in {k.lower() for k in entry}
        assert "email" not in entry


async def test_log_lines_inside_a_request_carry_request_route_principal_and_trace(
    traced: AsyncTestClient[Litestar], settings: Settings
) -> None:
    headers = auth_headers(settings, user_id=ADMIN, roles=("admin",))
    headers["traceparent"] = f"00-{TRACE_ID}-{PARENT_SPAN}-01"
    headers["x-request-id"] = "req-abc-123"
    with capture_logs(processors=[add_request_context]) as logs:
        response = await traced.post(
            "/v1/admin/maintenance", json={"enabled": True, "reason": "db upgrade"}, headers=headers
        )
    assert response.status_code == 200
    sql_lines = [e for e in logs if e["event"] == "sql_statement"]
    assert sql_lines, "the store was queried"
    for line in sql_lines:
        assert line["request_id"] == "req-abc-123"
        assert line["route"] == "/v1/admin/maintenance"
        assert line["principal_id"] == ADMIN
        assert line["trace_id"] == TRACE_ID
        assert line["duration_ms"] >= 0
        assert line["operation"] in {"SELECT", "INSERT", "UPDATE"}
    access = next(e for e in logs if e["event"] == "http_request")
    assert access["trace_id"] == TRACE_ID


async def test_a_request_produces_one_trace_http_server_span_over_sql_spans(
    traced: AsyncTestClient[Litestar], exporter: InMemorySpanExporter
) -> None:
    response = await traced.get(
        "/health/ready", headers={"traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01"}
    )
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.kind == SpanKind.SERVER]
    assert len(server) == 1
    http = server[0]
    assert http.name == "GET /health/ready"
    assert http.attributes is not None
    assert http.attributes["http.route"] == "/health/ready"
    assert http.attributes["http.response.status_code"] == 200
    assert format(http.context.trace_id, "032x") == TRACE_ID
    assert http.parent is not None
    assert format(http.parent.span_id, "016x") == PARENT_SPAN
    sql = [s for s in spans if s.attributes and s.attributes.get("db.system") == DB_SYSTEM]
    assert len(sql) >= 2  # the ping and the schema_migrations read
    for span in sql:
        assert span.kind == SpanKind.CLIENT
        assert span.context.trace_id == http.context.trace_id
        assert span.parent is not None
        assert span.parent.span_id == http.context.span_id
        assert span.attributes is not None
        assert span.attributes["db.operation"] in {"SELECT", "CREATE", "PING"}
    assert {s.attributes["db.operation"] for s in sql if s.attributes} >= {"PING", "SELECT"}


async def test_sql_spans_never_carry_parameter_values(
    traced: AsyncTestClient[Litestar], exporter: InMemorySpanExporter, settings: Settings
) -> None:
    headers = auth_headers(settings, user_id=ADMIN, roles=("admin",))
    reason = "secret-looking-reason-value-42"
    await traced.post(
        "/v1/admin/maintenance", json={"enabled": True, "reason": reason}, headers=headers
    )
    sql = [s for s in exporter.get_finished_spans() if s.attributes and "db.system" in s.attributes]
    assert {s.attributes["db.operation"] for s in sql if s.attributes} >= {"UPDATE", "INSERT"}
    for span in sql:
        assert reason not in repr(dict(span.attributes or {}))
        assert ADMIN not in repr(dict(span.attributes or {}))
    await traced.post("/v1/admin/maintenance", json={"enabled": False}, headers=headers)


async def test_metrics_count_requests_by_route_template_class_and_status(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    await client.get("/health/live")
    await client.get("/health/live")
    await client.get("/health/ready")
    await client.post("/v1/admin/maintenance", json={"enabled": False})  # anonymous: 401
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    live = {"method": "GET", "route": "/health/live", "status_class": "2xx"}
    assert metric_value(text, "http_server_requests_total", **live, route_class="public") == 2
    assert (
        metric_value(
            text, "http_server_request_duration_seconds_count", **live, route_class="public"
        )
        == 2
    )
    admin = {"route": "/v1/admin/maintenance", "status_class": "4xx", "route_class": "admin"}
    assert metric_value(text, "http_server_requests_total", method="POST", **admin) == 1
    assert (
        metric_value(
            text, "db_client_operation_duration_seconds_count", db_system=DB_SYSTEM, outcome="ok"
        )
        > 0
    )
    for name in ("idempotent_replays_total", "recovery_actions_total", "provider_calls_total"):
        assert f"# TYPE {name} counter" in text


async def test_two_apps_keep_separate_metrics(settings: Settings) -> None:
    first = create_app(settings, FakeSystemProvider())
    second = create_app(settings, FakeSystemProvider())
    async with AsyncTestClient(app=first) as a, AsyncTestClient(app=second) as b:
        await a.get("/health/live")
        text = (await b.get("/metrics")).text
    assert metric_value(text, "http_server_requests_total", route="/health/live") == 0


async def test_tracing_is_off_by_default_and_logs_carry_no_trace_id(
    client: AsyncTestClient[Litestar],
) -> None:
    with capture_logs(processors=[add_request_context]) as logs:
        await client.get("/health/ready")
    access = next(e for e in logs if e["event"] == "http_request")
    assert access["trace_id"] is None
    assert structlog.get_config()  # logging stayed configured


async def test_other_areas_record_through_the_operations_metrics_port(app: Litestar) -> None:
    async with AsyncTestClient(app=app) as client:
        port = await app.state.dishka_container.get(OperationsMetrics)
        port.idempotent_replay("payment.create")
        port.recovery_action("payment.capture", "compensated")
        text = (await client.get("/metrics")).text
    assert metric_value(text, "idempotent_replays_total", operation="payment.create") == 1
    assert (
        metric_value(
            text, "recovery_actions_total", workflow="payment.capture", action="compensated"
        )
        == 1
    )
