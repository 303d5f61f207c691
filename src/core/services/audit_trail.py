"""Reading the audit trail back: admins over HTTP, operators through the CLI."""

from __future__ import annotations

from datetime import datetime

import attrs

from core.domain.identity import Principal
from core.services.authorization import require_admin
from ports.audit import AuditEvent, AuditQuery

__all__ = ["AuditPage", "AuditTrail"]

MAX_PAGE = 200


@attrs.frozen
class AuditPage:
    items: list[AuditEvent]
    next_before: str | None
    """The id to continue from (older events), or None at the end."""


class AuditTrail:
    def __init__(self, query: AuditQuery) -> None:
        self._query = query

    async def page(
        self,
        principal: Principal,
        *,
        actor_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> AuditPage:
        """Newest first; ``before`` continues a previous page."""
        require_admin(principal)
        limit = max(1, min(limit, MAX_PAGE))
        rows = await self._query.list(
            actor_id=actor_id, action=action, since=since, before_id=before, limit=limit + 1
        )
        items = rows[:limit]
        return AuditPage(items=items, next_before=items[-1].id if len(rows) > limit else None)

    async def after(
        self,
        principal: Principal,
        *,
        after: str | None,
        actor_id: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = MAX_PAGE,
    ) -> list[AuditEvent]:
        """Events newer than ``after``, oldest first (for following the trail)."""
        require_admin(principal)
        return await self._query.list(
            actor_id=actor_id,
            action=action,
            since=since,
            after_id=after,
            limit=max(1, min(limit, MAX_PAGE)),
            newest_first=False,
        )
