"""The one timestamp format stored and returned: RFC 3339 UTC, microseconds, ``Z``.

Fixed width, so stored timestamps also sort correctly as text.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["rfc3339"]


def rfc3339(moment: datetime) -> str:
    """``2026-01-31T12:00:00.000000Z`` for an aware datetime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
