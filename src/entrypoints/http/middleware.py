"""Outermost ASGI wrapper: request id, logs, metrics, the server span, maintenance, headers.

One pure-ASGI function instead of several framework middlewares keeps the per-request cost
to a few dictionary lookups: the route template is read from the scope after Litestar routed
the request (``scope["path_template"]``), so metrics and the access log use templates. The
client address honours ``X-Forwarded-*`` only from trusted proxies.
"""

from __future__ import annotations

import ipaddress
import os
import re
import time
from collections.abc import Sequence
from typing import Any

import attrs
import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer, set_span_in_context
from structlog.contextvars import bind_contextvars, reset_contextvars

from core.domain.maintenance import MaintenanceOn, is_write_blocked_by_maintenance
from core.services.maintenance import MaintenanceGate
from entrypoints.http.errors import PROBLEM_JSON, problem_bytes
from entrypoints.observability.logging import current_request
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.tracing import extract_asgi_context

__all__ = ["REQUEST_ID_HEADER", "RequestObserver", "client_address", "wrap_request_context"]

UNMATCHED_ROUTE = "<unmatched>"
access_log = structlog.get_logger("fintech.access")
REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.match(text) else None
    return None


_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _trusted(address: str | None, networks: Sequence[_Network]) -> bool:
    if not address or not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(scope: Scope, networks: Sequence[_Network]) -> tuple[str | None, bool]:
    """The client's address and whether it reached us over https.

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only when the peer is a
    trusted proxy (``FINTECH_TRUSTED_PROXIES``): the client is the right-most forwarded
    address that is not itself a trusted proxy, so a client cannot spoof its address by
    sending the header itself.
    """
    client = scope.get("client")
    peer = client[0] if client else None
    https = scope.get("scheme") == "https"
    if not _trusted(peer, networks):
        return peer, https
    proto = _header(scope, b"x-forwarded-proto")
    if proto:
        https = proto.split(",")[-1].strip().lower() == "https"
    forwarded = _header(scope, b"x-forwarded-for")
    if forwarded:
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            if not _trusted(hop, networks):
                return hop, https
    return peer, https


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


@attrs.define
class RequestObserver:
    """What the wrapper reports to; filled from the container when the app starts."""

    metrics: Metrics | None = None
    tracer: Tracer | None = None
    gate: MaintenanceGate | None = None


def wrap_request_context(
    app: ASGIApp,
    *,
    max_body_bytes: int,
    observer: RequestObserver | None = None,
    trusted_proxies: Sequence[str] = (),
) -> ASGIApp:
    """Give every HTTP request an id (echoed if sane, else generated) and bind it to logs.

    A declared body over ``max_body_bytes`` is refused here, before routing, on every path;
    Litestar's own limit covers bodies streamed without a length. ``/v1`` answers carry
    ``Cache-Control: no-store`` (personal data) and https requests get HSTS. With an
    ``observer``, each request also gets one access log line, the HTTP metrics, a server span
    (when tracing is on) and the maintenance check for writes.
    """
    networks = [ipaddress.ip_network(n, strict=False) for n in trusted_proxies]
    watch = observer or RequestObserver()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        # 16 random bytes in hex: the same 32 characters as a uuid4, without building one.
        request_id = _incoming_id(scope) or os.urandom(16).hex()
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id
        address, https = client_address(scope, networks)
        state["client_address"] = address
        state["https"] = https
        personal = str(scope.get("path", "")).startswith("/v1")
        raw = request_id.encode("latin-1")
        method: str = scope["method"]
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", raw))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _SECURITY_HEADERS if h[0] not in present)
                if personal and _NO_STORE[0] not in present:
                    headers.append(_NO_STORE)
                if https and _HSTS[0] not in present:
                    headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        span = None
        span_token = None
        tracer = watch.tracer
        if tracer is not None:
            span = tracer.start_span(
                method,
                context=extract_asgi_context(scope.get("headers", ())),
                kind=SpanKind.SERVER,
                attributes={"http.request.method": method, "url.path": scope["path"]},
            )
            span_token = otel_context.attach(set_span_in_context(span))
        scope_token = current_request.set(scope)  # type: ignore[arg-type]
        try:
            # bind/reset rather than the bound_contextvars context manager, which snapshots
            # every context variable on each request (measured: `python -m benchmarks edge`).
            bound = bind_contextvars(request_id=request_id, method=method, path=scope["path"])
            try:
                length = _declared_length(scope)
                if length is not None and length > max_body_bytes:
                    await _too_large(send_with_headers, request_id, max_body_bytes)
                    return
                if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
                    # No id or filter holds NUL, and no supported store accepts it in text.
                    await _refuse_nul(send_with_headers, request_id, "\x00" in scope["path"])
                    return
                gate = watch.gate
                if gate is not None and is_write_blocked_by_maintenance(method, scope["path"]):
                    current = await gate.current()
                    if watch.metrics is not None:
                        watch.metrics.set_maintenance(current.enabled)
                    if current.enabled:
                        await _maintenance(send_with_headers, request_id, current.reason)
                        return
                await app(scope, receive, send_with_headers)
            finally:
                reset_contextvars(**bound)
        finally:
            seconds = time.perf_counter() - start
            template: str | None = scope.get("path_template")  # type: ignore[assignment]
            route = template or UNMATCHED_ROUTE
            if watch.metrics is not None:
                # Unrouted requests (404s, refused before routing) are classed by their path.
                unrouted = None if template else scope["path"]
                watch.metrics.observe_request(method, route, status, seconds, unrouted)
            trace_id = None
            if span is not None:
                trace_id = format(span.get_span_context().trace_id, "032x")
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
            access_log.info(
                "http_request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 3),
                request_id=request_id,
                principal_id=state.get("principal_id"),
                trace_id=trace_id,
            )
            current_request.reset(scope_token)
            if span is not None:
                span.end()
                otel_context.detach(span_token)  # type: ignore[arg-type]

    return middleware


async def _maintenance(send: Send, request_id: str, reason: str | None) -> None:
    error = MaintenanceOn(reason)
    body = problem_bytes(
        status=503,
        code=error.code,
        title=error.title,
        detail=error.detail,
        correlation_id=request_id,
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(error.retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _too_large(send: Send, request_id: str, limit: int) -> None:
    body = problem_bytes(
        status=413,
        code="payload_too_large",
        title="Request body too large",
        detail=f"Request bodies are limited to {limit} bytes.",
        correlation_id=request_id,
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _refuse_nul(send: Send, request_id: str, in_path: bool) -> None:
    status, code, title = (
        (404, "not_found", "Not found")
        if in_path
        else (
            400,
            "validation_failed",
            "Validation failed",
        )
    )
    detail = "No resource at this path" if in_path else "NUL characters are not accepted"
    body = problem_bytes(
        status=status, code=code, title=title, detail=detail, correlation_id=request_id
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
