"""Outermost ASGI wrapper: request id, structlog context, security headers, client address."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.errors import PROBLEM_JSON, problem_bytes

__all__ = ["REQUEST_ID_HEADER", "client_address", "wrap_request_context"]

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


def wrap_request_context(
    app: ASGIApp, *, max_body_bytes: int, trusted_proxies: Sequence[str] = ()
) -> ASGIApp:
    """Give every HTTP request an id (echoed if sane, else generated) and bind it to logs.

    A declared body over ``max_body_bytes`` is refused here, before routing, on every path;
    Litestar's own limit covers bodies streamed without a length. ``/v1`` answers carry
    ``Cache-Control: no-store`` (personal data) and https requests get HSTS.
    """
    networks = [ipaddress.ip_network(n, strict=False) for n in trusted_proxies]

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id
        address, https = client_address(scope, networks)
        state["client_address"] = address
        state["https"] = https
        personal = str(scope.get("path", "")).startswith("/v1")
        raw = request_id.encode("latin-1")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
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
