"""The one timestamp format stored and returned: RFC 3339 UTC, microseconds, ``Z``.

Fixed width, so stored timestamps also sort correctly as text.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["rfc3339"]


def rfc3339(moment: datetime) -> str:
    """``2026-01-31T12:00:00.000000Z`` for an aware datetime."""
    # isoformat with fixed microseconds ends in "+00:00" in UTC; it is several times cheaper
    # than strftime, and this runs for every row written.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
