"""The one domain error hierarchy; every error has a stable machine-readable ``code``.

The HTTP layer maps each family to a status in one place (``entrypoints.http.errors``);
the domain only says what went wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class FieldError:
    """One invalid input field and why."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code: str = "domain_error"
    title: str = "Request could not be completed"

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    """Input that breaks a rule (400)."""

    code = "validation_failed"
    title = "Validation failed"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(detail, code=code)
        self.errors = tuple(errors)


class Unprocessable(DomainError):
    """Well-formed input the rules cannot act on (422)."""

    code = "unprocessable"
    title = "Unprocessable request"


class AuthenticationFailed(DomainError):
    """Missing, invalid or expired credentials (401)."""

    code = "unauthenticated"
    title = "Authentication required"


class PermissionDenied(DomainError):
    """The caller's role may not do this at all (403)."""

    code = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    """Absent, or outside the caller's scope: the two are indistinguishable (404)."""

    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The current state of a resource forbids the request (409)."""

    code = "conflict"
    title = "Conflict"


class InvalidStateTransition(Conflict):
    code = "invalid_state_transition"
    title = "Invalid state transition"


class RateLimited(DomainError):
    """Too many requests; retry after ``retry_after`` seconds (429)."""

    code = "rate_limited"
    title = "Too many requests"

    def __init__(
        self, detail: str | None = None, *, retry_after: int = 1, code: str | None = None
    ) -> None:
        super().__init__(detail, code=code)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(DomainError):
    """A dependency is down or the service is in maintenance (503)."""

    code = "service_unavailable"
    title = "Service unavailable"

    def __init__(
        self, detail: str | None = None, *, retry_after: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after


class ProviderError(DomainError):
    """An upstream provider failed (502)."""

    code = "provider_error"
    title = "Upstream provider error"
