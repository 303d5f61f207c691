"""The route classifier and the metrics registry other areas record into."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from entrypoints.observability.metrics import (
    Metrics,
    classify_route,
    has_segment,
    route_classifier,
    under,
)
from entrypoints.observability.outbound import ObservedTransport, path_template
from entrypoints.observability.tracing import Tracing

pytestmark = pytest.mark.anyio


def samples(metrics: Metrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, frozenset(labels.items())), 0.0)


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("/v1/admin/maintenance", "admin"),
        ("/v1/admin", "admin"),
        ("/v1/merchants", "financial"),
        ("/v1/merchants/{merchant_id}/payments/{payment_id}/capture", "financial"),
        ("/v1/payments/{payment_id}", "financial"),
        ("/v1/something/{id}/refunds", "financial"),
        ("/v1/x/settlements", "financial"),
        ("/v1/banking/accounts", "public"),
        ("/health/live", "public"),
        ("/v1/administrators", "public"),
        ("/v1/merchantsx", "public"),
        ("<unmatched>", "public"),
    ],
)
def test_the_default_classifier_labels_routes(route: str, expected: str) -> None:
    assert classify_route(route) == expected


def test_classifier_rules_compose_and_the_first_match_wins() -> None:
    classify = route_classifier(
        [(under("/v1/admin/payments"), "admin"), (has_segment("payments"), "financial")],
        default="other",
    )
    assert classify("/v1/admin/payments/{id}") == "admin"
    assert classify("/v1/payments") == "financial"
    assert classify("/health") == "other"


def test_each_metrics_object_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.observe_request("GET", "/health/live", 200, 0.001)
    assert value(a, "http_server_requests_total", **_http("GET", "/health/live", "2xx")) == 1
    assert value(b, "http_server_requests_total", **_http("GET", "/health/live", "2xx")) == 0


def _http(method: str, route: str, status_class: str) -> dict[str, str]:
    return {
        "method": method,
        "route": route,
        "status_class": status_class,
        "route_class": classify_route(route),
    }


def test_the_recording_api_exposes_replays_recovery_and_provider_calls() -> None:
    m = Metrics()
    m.idempotent_replay("payment.create")
    m.idempotent_replay("payment.create")
    m.recovery_action("payment.capture", "completed")
    m.provider_call("teller", "GET /accounts", 0.2)
    m.provider_call("teller", "GET /accounts", 0.3, error="http_5xx")
    assert value(m, "idempotent_replays_total", operation="payment.create") == 2
    assert value(m, "recovery_actions_total", workflow="payment.capture", action="completed") == 1
    assert value(m, "provider_calls_total", provider="teller", operation="GET /accounts") == 2
    assert (
        value(
            m,
            "provider_call_errors_total",
            provider="teller",
            operation="GET /accounts",
            error="http_5xx",
        )
        == 1
    )
    assert (
        value(
            m, "provider_call_duration_seconds_count", provider="teller", operation="GET /accounts"
        )
        == 2
    )


def test_provider_paths_are_templated_so_labels_stay_bounded() -> None:
    assert path_template("/accounts/acc_o9x1k2/transactions") == "/accounts/{id}/transactions"
    assert path_template("/query") == "/query"
    assert path_template("/link/token/create") == "/link/token/create"


async def test_provider_calls_get_a_span_metrics_and_w3c_trace_context() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.with_exporter(exporter, batch=False)
    tracer = tracing.tracer
    assert tracer is not None
    metrics = Metrics()
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if "fail" in request.url.path else 200, json={})

    transport = ObservedTransport(
        httpx.MockTransport(upstream), provider="alphavantage", metrics=metrics, tracer=tracer
    )
    async with httpx.AsyncClient(transport=transport, base_url="https://av.test") as client:
        with tracer.start_as_current_span("request") as parent:
            await client.get("/query", params={"function": "QUOTE", "apikey": "SECRETKEY"})
            await client.get("/fail/acc_123456")
    spans = {s.name: s for s in exporter.get_finished_spans()}
    call = spans["alphavantage GET /query"]
    assert call.parent is not None
    assert call.parent.span_id == parent.get_span_context().span_id
    assert call.context.trace_id == parent.get_span_context().trace_id
    assert "SECRETKEY" not in repr(dict(call.attributes or {}))
    traceparent = seen[0].headers["traceparent"]
    assert traceparent.split("-")[1] == format(call.context.trace_id, "032x")
    assert traceparent.split("-")[2] == format(call.context.span_id, "016x")
    failed = spans["alphavantage GET /fail/{id}"]
    assert failed.attributes is not None
    assert failed.attributes["http.response.status_code"] == 503
    assert (
        value(metrics, "provider_calls_total", provider="alphavantage", operation="GET /query") == 1
    )
    assert (
        value(
            metrics,
            "provider_call_errors_total",
            provider="alphavantage",
            operation="GET /fail/{id}",
            error="http_5xx",
        )
        == 1
    )
    tracing.shutdown()


async def test_store_calls_carry_the_current_span_as_traceparent_without_a_new_span() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.with_exporter(exporter, batch=False)
    tracer = tracing.tracer
    assert tracer is not None
    seen: list[httpx.Request] = []

    def store(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"rows": []})

    transport = ObservedTransport(httpx.MockTransport(store), provider="sql", record=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://elixir.test") as client:
        with tracer.start_as_current_span("SELECT other_sql") as sql_span:
            await client.post("/sql", json={"sql": "SELECT 1"})
    assert seen[0].headers["traceparent"].split("-")[2] == format(
        sql_span.get_span_context().span_id, "016x"
    )
    assert [s.name for s in exporter.get_finished_spans()] == ["SELECT other_sql"]
    tracing.shutdown()
