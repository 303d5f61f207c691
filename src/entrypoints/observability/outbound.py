"""``ObservedTransport``: an httpx transport decorator for calls to providers and stores.

Wraps any ``httpx.AsyncBaseTransport``. For providers (``record=True``) each call gets a
CLIENT span, the provider metrics and one log line with the operation and duration. Every
call carries the current W3C trace context (``traceparent``), so the Elixir database and the
providers can join the trace. Only the method and a templated path are recorded: query
strings (Alpha Vantage puts its key there), bodies and headers never are.

Composition (the provider modules that build httpx clients)::

    transport = ObservedTransport(httpx.AsyncHTTPTransport(...), provider="teller",
                                  metrics=metrics, tracer=tracing.tracer)
    httpx.AsyncClient(transport=transport, ...)

An adapter can name the operation explicitly with ``extensions={"fintech.operation": "…"}``.
"""

from __future__ import annotations

import re
import time

import httpx
import structlog
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, set_span_in_context

from entrypoints.observability.metrics import Metrics
from entrypoints.observability.tracing import inject_headers

__all__ = ["OPERATION_EXTENSION", "ObservedTransport", "path_template"]

OPERATION_EXTENSION = "fintech.operation"
log = structlog.get_logger("fintech.provider")
_ID_LIKE = re.compile(r"\d|^[A-Za-z0-9_-]{20,}$")


def path_template(path: str) -> str:
    """``/accounts/acc_o9x1/transactions`` → ``/accounts/{id}/transactions`` (bounded labels)."""
    return "/".join("{id}" if _ID_LIKE.search(seg) else seg for seg in path.split("/"))


class ObservedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        provider: str,
        metrics: Metrics | None = None,
        tracer: Tracer | None = None,
        record: bool = True,
    ) -> None:
        self._inner = inner
        self._provider = provider
        self._metrics = metrics
        self._tracer = tracer if record else None
        self._record = record

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._record:
            inject_headers(request.headers)
            return await self._inner.handle_async_request(request)
        operation = str(
            request.extensions.get(OPERATION_EXTENSION)
            or f"{request.method} {path_template(request.url.path)}"
        )
        span = None
        token = None
        if self._tracer is not None:
            span = self._tracer.start_span(
                f"{self._provider} {operation}",
                kind=SpanKind.CLIENT,
                attributes={
                    "peer.service": self._provider,
                    "http.request.method": request.method,
                    "server.address": request.url.host,
                    "url.template": path_template(request.url.path),
                },
            )
            token = otel_context.attach(set_span_in_context(span))
        inject_headers(request.headers)
        start = time.perf_counter()
        error: str | None = None
        status: int | None = None
        try:
            response = await self._inner.handle_async_request(request)
            status = response.status_code
            if status >= 400:
                error = f"http_{status // 100}xx"
            return response
        except Exception as exc:
            error = type(exc).__name__
            raise
        finally:
            seconds = time.perf_counter() - start
            if span is not None:
                if status is not None:
                    span.set_attribute("http.response.status_code", status)
                if error is not None:
                    span.set_attribute("error.type", error)
                    span.set_status(Status(StatusCode.ERROR))
                span.end()
            if token is not None:
                otel_context.detach(token)
            if self._metrics is not None:
                self._metrics.provider_call(self._provider, operation, seconds, error)
            log.info(
                "provider_call",
                provider=self._provider,
                operation=operation,
                status=status,
                error=error,
                duration_ms=round(seconds * 1000, 3),
            )

    async def aclose(self) -> None:
        await self._inner.aclose()
