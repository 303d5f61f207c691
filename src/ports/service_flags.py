"""Service-wide flags every instance reads from the store (maintenance mode, ...)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs


@attrs.frozen
class ServiceFlag:
    name: str
    value: str
    updated_at: datetime


class ServiceFlags(Protocol):
    async def get(self, name: str) -> ServiceFlag | None:
        """The flag's current value, or None when it was never set."""
        ...

    async def put(self, flag: ServiceFlag) -> None:
        """Set the flag (last writer wins)."""
        ...
