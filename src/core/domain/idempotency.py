"""Idempotency keys: what a key may look like, its scope, and the request fingerprint."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from core.domain.errors import Conflict, FieldError, Unprocessable, ValidationFailed

__all__ = [
    "IdempotencyKeyMissing",
    "IdempotencyKeyReused",
    "IdempotencyRequestInProgress",
    "fingerprint",
    "scope_of",
    "validate_key",
]


class IdempotencyKeyMissing(ValidationFailed):
    code = "idempotency_key_missing"
    title = "Idempotency-Key header required"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    title = "Idempotency key reused with a different request"


class IdempotencyRequestInProgress(Conflict):
    code = "idempotency_request_in_progress"
    title = "A request with this idempotency key is in progress"


def validate_key(key: str | None) -> str:
    """1-255 printable ASCII characters."""
    if key is None or key == "":
        raise IdempotencyKeyMissing("this request needs an Idempotency-Key header")
    if len(key) > 255 or not all(" " <= ch <= "~" for ch in key):
        raise ValidationFailed(
            "Idempotency-Key must be 1-255 printable ASCII characters",
            errors=[FieldError("Idempotency-Key", "1-255 printable ASCII characters")],
            code="idempotency_key_invalid",
        )
    return key


def _digest(parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scope_of(principal_id: str, method: str, route: str, key: str) -> str:
    """The key's scope: the principal, method, route template and the key itself."""
    return _digest([principal_id, method.upper(), route, key])


def fingerprint(method: str, path: str, body: Any) -> str:
    """Hash of the method, the concrete path and the canonical (sorted, compact) body."""
    return _digest([method.upper(), path, body])
