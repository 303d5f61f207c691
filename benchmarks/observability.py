"""What the request wrapper's observability costs: ``uv run python -m benchmarks.observability``.

In-process ASGI calls to ``GET /health/live`` (no sockets, so the wrapper's share is as large
as it gets), in alternating rounds so machine noise hits every variant alike:

- ``bare``: the request-id wrapper alone (no metrics, maintenance gate or tracing);
- ``default``: what production runs by default (metrics, access log line at INFO, gate);
- ``traced``: the default plus a server span per request (exporter discarding spans).
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import structlog
from litestar import Litestar
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from tests.fakes import override

from entrypoints.http.app import create_app
from entrypoints.observability.logging import configure_logging
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import load_settings

ROUNDS = 7
PER_ROUND = 2000


class _Discard(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/health/live",
        "raw_path": b"/health/live",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Any) -> None:
    return None


async def _round(app: Litestar) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        await app(_scope(), _receive, _send)  # type: ignore[arg-type]
    return PER_ROUND / (time.perf_counter() - start)


async def _run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            {"FINTECH_ENV": "test", "FINTECH_SQL_URL": f"sqlite:///{Path(tmp) / 'b.db'}"},
            env_file=None,
        )
        configure_logging("INFO", "json")
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=io.StringIO()))
        apps = {
            "bare": create_app(settings),  # never started: its observer stays empty
            "default": create_app(settings),
            "traced": create_app(
                settings, override(Tracing, Tracing.with_exporter(_Discard(), batch=False))
            ),
        }
        results: dict[str, list[float]] = {name: [] for name in apps}
        async with apps["default"].lifespan(), apps["traced"].lifespan():
            for app in apps.values():
                await _round(app)  # warm-up
            for _ in range(ROUNDS):
                for name, app in apps.items():
                    results[name].append(await _round(app))
    bare = statistics.median(results["bare"])
    print(f"GET /health/live in-process, median of {ROUNDS} rounds x {PER_ROUND} requests")
    for name, rates in results.items():
        rate = statistics.median(rates)
        print(f"  {name:8s} {rate:8,.0f} req/s  ({rate / bare:6.1%} of bare)")


def main() -> None:
    anyio.run(_run)


if __name__ == "__main__":
    main()
