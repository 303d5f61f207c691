"""Maintenance mode: while on, writes outside admin and auth are refused with 503."""

from __future__ import annotations

import json
from datetime import datetime

import attrs

from core.domain.errors import FieldError, ServiceUnavailable, ValidationFailed

__all__ = [
    "MAINTENANCE_FLAG",
    "MAINTENANCE_RETRY_AFTER",
    "OFF",
    "MaintenanceOn",
    "MaintenanceState",
    "is_write_blocked_by_maintenance",
]

MAINTENANCE_FLAG = "maintenance"
MAINTENANCE_RETRY_AFTER = 60
"""Seconds clients are told to wait before retrying a refused write."""
MAX_REASON_LENGTH = 500
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_EXEMPT_PREFIXES = ("/v1/admin/", "/v1/auth/")


class MaintenanceOn(ServiceUnavailable):
    code = "maintenance"
    title = "Service in maintenance"

    def __init__(self, reason: str | None = None) -> None:
        detail = "Writes are paused for maintenance; retry later."
        if reason:
            detail = f"{detail} Reason: {reason}"
        super().__init__(detail, retry_after=MAINTENANCE_RETRY_AFTER)


def is_write_blocked_by_maintenance(method: str, path: str) -> bool:
    """Whether maintenance mode refuses this request: /v1 writes except admin and auth."""
    if method not in _WRITES or not (path == "/v1" or path.startswith("/v1/")):
        return False
    return not any(path.startswith(p) or path == p[:-1] for p in _EXEMPT_PREFIXES)


@attrs.frozen
class MaintenanceState:
    enabled: bool
    reason: str | None = None
    updated_at: datetime | None = None

    @classmethod
    def create(cls, enabled: bool, reason: str | None, at: datetime) -> MaintenanceState:
        """A new state from operator input (reason trimmed; at most 500 characters)."""
        text = reason.strip() if reason else None
        if text and len(text) > MAX_REASON_LENGTH:
            raise ValidationFailed(
                "The reason is too long",
                errors=[FieldError("reason", f"at most {MAX_REASON_LENGTH} characters")],
            )
        return cls(enabled=enabled, reason=text or None, updated_at=at)

    def to_value(self) -> str:
        """The flag's stored text."""
        return json.dumps({"enabled": self.enabled, "reason": self.reason}, sort_keys=True)

    @classmethod
    def from_value(cls, value: str, updated_at: datetime) -> MaintenanceState:
        try:
            data = json.loads(value)
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        reason = data.get("reason")
        return cls(
            enabled=data.get("enabled") is True,
            reason=reason if isinstance(reason, str) else None,
            updated_at=updated_at,
        )


OFF = MaintenanceState(enabled=False)
