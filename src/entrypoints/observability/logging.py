"""structlog configuration and the one redaction processor for secrets.

Every log line passes ``redact_secrets`` last-but-one, so a token, password or account
number handed to a logger by mistake never reaches the output. ``add_request_context`` adds
the request id, route template, principal id and trace id of the request being served (read
lazily from the ASGI scope the HTTP wrapper publishes, so binding costs nothing per request).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from opentelemetry import trace

__all__ = [
    "REDACTED",
    "add_request_context",
    "configure_logging",
    "current_request",
    "redact_secrets",
]

current_request: ContextVar[MutableMapping[str, Any] | None] = ContextVar(
    "fintech_current_request", default=None
)
"""The ASGI scope of the request being served (set by the outermost HTTP wrapper)."""

REDACTED = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|authorization|api[_-]?key|apikey|cookie|signature|"
    r"private[_-]?key|credential|account[_-]?number|routing[_-]?number|"
    # Short names only as whole words ("card_pan", not "span_id" or "company").
    r"(?<![a-z])(?:ssn|cvv|cvc|pan)(?![a-z]))",
    re.IGNORECASE,
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_LONG_DIGITS = re.compile(r"\b\d{9,19}\b")
# Credentials inside URLs (``scheme://user:secret@host``) and ``key=value`` pairs in free text
# (query strings in provider error messages: Alpha Vantage's ``apikey=``).
_URL_PASSWORD = re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@")
_SECRET_PAIR = re.compile(
    r"(?i)\b((?:pass(?:word|wd)?|secret|client_secret|token|access_token|refresh_token|"
    r"api[_-]?key|apikey)=)[^&\s\"']+"
)
# Keys whose values are safe even though their names match the pattern above.
_ALLOWED_KEYS = frozenset({"token_type", "tokens_revoked", "password_changed"})


def _scrub_text(text: str) -> str:
    text = _JWT.sub(REDACTED, text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    text = _SECRET_PAIR.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _LONG_DIGITS.sub(lambda m: f"…{m.group(0)[-4:]}", text)


def _scrub(key: str | None, value: Any) -> Any:
    if key is not None and key not in _ALLOWED_KEYS and _SECRET_KEY.search(key):
        return REDACTED if value not in (None, "") else value
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(None, v) for v in value)
    return value


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace secret-named fields and secret-looking strings in every event."""
    for key in list(event_dict):
        event_dict[key] = _scrub(None if key == "event" else key, event_dict[key])
    return event_dict


def add_request_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Add request id, route template, principal id (never personal data) and trace id."""
    scope = current_request.get()
    if scope is not None:
        state = scope.get("state") or {}
        event_dict.setdefault("request_id", state.get("request_id"))
        route = scope.get("path_template")
        if route is not None:
            event_dict.setdefault("route", route)
        principal_id = state.get("principal_id")
        if principal_id is not None:
            event_dict.setdefault("principal_id", principal_id)
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def configure_logging(level: str = "INFO", fmt: str = "console", *, final: bool = False) -> None:
    """Route structlog (and stdlib logging) to stderr as JSON or console lines.

    ``final``: the process configures logging once (a server), so each module's logger is
    built on first use and kept; otherwise every call rebuilds it (about 10 µs), which lets
    tests configure again.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_request_context,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=final,
    )
    # Standard-library records (uvicorn, asyncio, libraries) go through the same processors,
    # so they are JSON too in production and pass the same redaction.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    logging.basicConfig(level=numeric, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "asyncio"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
