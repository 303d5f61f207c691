"""The audit trail: every financial action and every read of personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs


@attrs.frozen
class AuditEvent:
    id: str
    at: datetime
    actor_id: str | None
    action: str
    target: str | None
    outcome: str
    correlation_id: str | None


class AuditLog(Protocol):
    async def record(
        self,
        *,
        actor_id: str | None,
        action: str,
        target: str | None = None,
        outcome: str = "success",
    ) -> AuditEvent:
        """Append one event (never secrets); the correlation id is the current request's."""
        ...


class AuditQuery(Protocol):
    """Reading the trail back (admins and operators only; the core checks who asks)."""

    async def list(
        self,
        *,
        actor_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        before_id: str | None = None,
        after_id: str | None = None,
        limit: int = 50,
        newest_first: bool = True,
    ) -> list[AuditEvent]:
        """Events matching every given filter, ordered by id (time order), at most ``limit``."""
        ...
