"""Outermost ASGI wrapper: request id, structlog context, security headers."""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import PROBLEM_JSON, problem_bytes

__all__ = ["REQUEST_ID_HEADER", "wrap_request_context"]

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


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def wrap_request_context(app: ASGIApp, *, max_body_bytes: int) -> ASGIApp:
    """Give every HTTP request an id (echoed if sane, else generated) and bind it to logs.

    A declared body over ``max_body_bytes`` is refused here, before routing, on every path;
    Litestar's own limit covers bodies streamed without a length.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id
        raw = request_id.encode("latin-1")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", raw))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _SECURITY_HEADERS if h[0] not in present)
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(
            request_id=request_id, method=scope.get("method"), path=scope.get("path")
        ):
            length = _declared_length(scope)
            if length is not None and length > max_body_bytes:
                await _too_large(send_with_headers, request_id, max_body_bytes)
                return
            await app(scope, receive, send_with_headers)

    return middleware


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
