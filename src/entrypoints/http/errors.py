"""The one error mapper: every failure becomes an RFC 9457 problem document.

Domain errors carry their own stable ``code``; framework errors get one from their status.
Nothing from the exception's internals (stack, SQL, provider payloads, paths) is rendered
for 5xx answers: the detail is a fixed sentence and the correlation id points to the logs.
"""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from core.domain import errors as domain
from ports.sql import OutcomeUnknown, SqlError

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "exception_handlers",
    "problem_bytes",
    "problem_response",
    "problem_responses",
]

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("fintech.http")

_STATUS_FOR: tuple[tuple[type[domain.DomainError], int], ...] = (
    (domain.ValidationFailed, 400),
    (domain.AuthenticationFailed, 401),
    (domain.PermissionDenied, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.Unprocessable, 422),
    (domain.RateLimited, 429),
    (domain.ProviderError, 502),
    (domain.ServiceUnavailable, 503),
)

_CODE_FOR_STATUS = {
    400: ("validation_failed", "Validation failed"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("unprocessable", "Unprocessable request"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal_error", "Internal server error"),
    503: ("service_unavailable", "Service unavailable"),
}


class FieldProblem(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document as this API renders it."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    correlation_id: str | None
    errors: list[FieldProblem] | None = None


def status_for(exc: domain.DomainError) -> int:
    for cls, status in _STATUS_FOR:
        if isinstance(exc, cls):
            return status
    return 400


def _correlation_id(request: Request[Any, Any, Any]) -> str | None:
    return request.scope.get("state", {}).get("request_id")  # type: ignore[no-any-return]


def problem_bytes(
    *, status: int, code: str, title: str, detail: str, correlation_id: str | None
) -> bytes:
    """A problem document rendered outside Litestar's handlers (the outer ASGI wrapper)."""
    body = Problem(
        type=f"urn:problem:fintech:{code}",
        title=title,
        status=status,
        detail=detail,
        code=code,
        correlation_id=correlation_id,
    )
    return msgspec.json.encode(body)


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    body = Problem(
        type=f"urn:problem:fintech:{code}",
        title=title,
        status=status,
        detail=detail,
        code=code,
        correlation_id=_correlation_id(request),
        errors=errors,
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_handler(request: Request[Any, Any, Any], exc: domain.DomainError) -> Response[Problem]:
    status = status_for(exc)
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="fintech"'
    errors = None
    if isinstance(exc, domain.ValidationFailed) and exc.errors:
        errors = [FieldProblem(field=e.field, message=e.message) for e in exc.errors]
    return problem_response(
        request,
        status=status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=errors,
        headers=headers or None,
    )


def _field_errors(extra: Any) -> list[FieldProblem]:
    found: list[FieldProblem] = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("field") or "body")
            message = str(item.get("message") or "invalid value")
            found.append(FieldProblem(field=field, message=message))
    return found


def _http_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    if status >= 500:
        return _internal_handler(request, exc)
    code, title = _CODE_FOR_STATUS.get(status, ("http_error", "Request failed"))
    errors = None
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else title
    if isinstance(exc, ValidationException) or status == 400:
        errors = _field_errors(exc.extra) or None
        detail = "The request is not valid: see errors." if errors else _safe_detail(detail, title)
    elif status == 405:
        detail = f"{request.method} is not allowed on this path"
    elif status == 404:
        detail = "No resource at this path"
    headers = dict(exc.headers or {})
    return problem_response(
        request,
        status=status,
        code=code,
        title=title,
        detail=detail,
        errors=errors,
        headers=headers or None,
    )


def _safe_detail(detail: str, fallback: str) -> str:
    # Framework messages for 4xx can echo parser internals; keep them short and plain.
    return detail if len(detail) <= 200 and "Traceback" not in detail else fallback


def _internal_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    if isinstance(exc, SqlError) and exc.retryable:
        log.warning("store_unavailable", error_type=type(exc).__name__, path=request.url.path)
        return problem_response(
            request,
            status=503,
            code="store_unavailable",
            title="Service unavailable",
            detail="The data store is temporarily unavailable; retry shortly.",
            headers={"Retry-After": "1"},
        )
    if isinstance(exc, OutcomeUnknown):
        # The store may or may not have applied the last write. Idempotency stores nothing
        # for a 5xx answer, so a retry under the same key resumes the same workflow ids and
        # recovery completes or abandons whatever the first attempt left behind.
        log.warning("outcome_unknown", error_type=type(exc).__name__, path=request.url.path)
        return problem_response(
            request,
            status=503,
            code="outcome_unknown",
            title="Outcome unknown",
            detail=(
                "The data store did not confirm the last write; retry the request with the"
                " same Idempotency-Key to complete it exactly once."
            ),
            headers={"Retry-After": "1"},
        )
    log.error("unhandled_error", error_type=type(exc).__name__, path=request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="An unexpected error occurred; quote the correlation id when reporting it.",
    )


exception_handlers: dict[Any, Any] = {
    domain.DomainError: _domain_handler,
    HTTPException: _http_handler,
    Exception: _internal_handler,
}


_DESCRIPTIONS = {
    400: "Invalid request (validation_failed or a more specific code)",
    401: "Missing or invalid credentials",
    403: "The caller's role may not call this endpoint",
    404: "Not found, or outside the caller's scope",
    409: "Conflict with the resource's current state",
    413: "Request body larger than 1 MiB",
    422: "Well-formed but unprocessable request",
    429: "Rate limited; see Retry-After",
    502: "Upstream provider failed",
    503: (
        "Unavailable (store down or outcome unknown, maintenance or provider rate limit);"
        " see Retry-After"
    ),
}


def problem_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI ``responses=`` entries documenting problem documents for ``statuses``."""
    from litestar.openapi.datastructures import ResponseSpec

    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS.get(status, "Problem document"),
            media_type=PROBLEM_JSON,
        )
        for status in statuses
    }
