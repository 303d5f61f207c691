"""Trace exporters come only from the standard OTEL_* variables."""

from __future__ import annotations

import json

import pytest
from structlog.testing import capture_logs

from entrypoints.observability.tracing import build_tracing, otlp_exporter_available
from entrypoints.settings import SettingsError, load_settings

BASE = {"FINTECH_ENV": "test"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "none"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, "none"),
    ],
)
def test_the_exporter_follows_the_otel_variables(env: dict[str, str], expected: str) -> None:
    assert load_settings({**BASE, **env}, env_file=None).otel_traces_exporter == expected


def test_an_unknown_exporter_is_refused_naming_the_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({**BASE, "OTEL_TRACES_EXPORTER": "jaeger"}, env_file=None)
    assert caught.value.variable == "OTEL_TRACES_EXPORTER"


def test_no_exporter_means_no_tracer_at_all() -> None:
    assert build_tracing("none").tracer is None


def test_the_console_exporter_writes_one_json_span_per_line_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tracing = build_tracing("console")
    assert tracing.tracer is not None
    with (
        tracing.tracer.start_as_current_span("outer"),
        tracing.tracer.start_as_current_span("inner"),
    ):
        pass
    tracing.shutdown()
    captured = capsys.readouterr()
    assert captured.out == ""
    spans = [json.loads(line) for line in captured.err.splitlines()]
    assert [s["name"] for s in spans] == ["inner", "outer"]
    assert spans[0]["resource"]["attributes"]["service.name"] == "fintech"


@pytest.mark.skipif(otlp_exporter_available(), reason="the OTLP exporter package is installed")
def test_otlp_without_its_package_runs_untraced_and_says_why() -> None:
    with capture_logs() as logs:
        tracing = build_tracing("otlp")
    assert tracing.tracer is None
    assert logs[0]["event"] == "traces_exporter_unavailable"
    assert "opentelemetry-exporter-otlp" in logs[0]["hint"]
