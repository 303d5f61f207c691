"""Merchant-facing events: each state change recorded exactly once, by a derived id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import attrs


@attrs.frozen
class Event:
    """``data`` is the object after the change exactly as the API returns it."""

    id: str
    type: str
    merchant_id: str
    created_at: datetime
    data: Mapping[str, Any]


class EventLog(Protocol):
    async def record(self, event: Event) -> bool:
        """Write ``event`` unless one with its id exists; True when this call wrote it."""
        ...

    async def record_many(self, events: Sequence[Event]) -> int:
        """Write each of ``events`` whose id is new, in one atomic statement; how many were."""
        ...
