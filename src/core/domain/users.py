"""Users and credentials: the rules for emails, passwords and platform roles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from core.domain.errors import AuthenticationFailed, Conflict, FieldError, ValidationFailed
from core.domain.identity import Role

__all__ = [
    "MAX_EMAIL_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidRefreshToken",
    "User",
    "normalise_email",
    "parse_roles",
    "serialise_roles",
    "validate_new_user",
    "validate_password",
    "validate_roles",
]

MIN_PASSWORD_LENGTH = 12
# Hashing cost does not grow with length (argon2 pre-hashes), but an upper bound keeps
# request handling predictable and matches what password managers generate.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200
PLATFORM_ROLES = frozenset(r.value for r in Role)


class EmailTaken(Conflict):
    code = "email_taken"
    title = "Email already registered"


class InvalidCredentials(AuthenticationFailed):
    """The one answer for an unknown email and a wrong password (no account enumeration)."""

    code = "invalid_credentials"
    title = "Invalid credentials"


class InvalidRefreshToken(AuthenticationFailed):
    """Unknown, expired, used or revoked refresh token: one answer for all of them."""

    code = "invalid_refresh_token"
    title = "Invalid refresh token"


@attrs.frozen
class User:
    """A platform user as the API shows it (never with credentials)."""

    id: str
    email: str
    name: str | None
    roles: frozenset[str]
    created_at: datetime
    updated_at: datetime

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _email_problem(email: str) -> str | None:
    if not email or len(email) > MAX_EMAIL_LENGTH:
        return f"must be an email address of at most {MAX_EMAIL_LENGTH} characters"
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return "must be an email address such as name@example.com"
    if any(c.isspace() or ord(c) < 32 for c in email) or "@" in local:
        return "must be an email address such as name@example.com"
    return None


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            errors=[FieldError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")]
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            errors=[FieldError("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")]
        )


def validate_new_user(email: str, password: str, name: str | None) -> str:
    """Check a registration; returns the normalised email or raises ``ValidationFailed``."""
    errors: list[FieldError] = []
    normalised = normalise_email(email)
    problem = _email_problem(normalised)
    if problem:
        errors.append(FieldError("email", problem))
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(FieldError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters"))
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.append(FieldError("password", f"must be at most {MAX_PASSWORD_LENGTH} characters"))
    if name is not None and len(name) > MAX_NAME_LENGTH:
        errors.append(FieldError("name", f"must be at most {MAX_NAME_LENGTH} characters"))
    if errors:
        raise ValidationFailed(errors=errors)
    return normalised


def validate_roles(roles: Iterable[str]) -> frozenset[str]:
    """A non-empty subset of the platform roles, or ``ValidationFailed``."""
    chosen = frozenset(roles)
    if not chosen:
        raise ValidationFailed(errors=[FieldError("roles", "must name at least one role")])
    unknown = sorted(chosen - PLATFORM_ROLES)
    if unknown:
        allowed = ", ".join(sorted(PLATFORM_ROLES))
        raise ValidationFailed(errors=[FieldError("roles", f"roles must be among: {allowed}")])
    return chosen


def serialise_roles(roles: Iterable[str]) -> str:
    """Roles as stored: sorted, comma-separated."""
    return ",".join(sorted(set(roles)))


def parse_roles(text: str) -> frozenset[str]:
    return frozenset(r for r in (p.strip() for p in text.split(",")) if r)
