"""Wire objects of the operations endpoints (maintenance mode)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from core.domain.maintenance import MaintenanceState

__all__ = ["MaintenanceRequest", "MaintenanceStatus"]


class MaintenanceRequest(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool
    reason: str | None = None


class MaintenanceStatus(msgspec.Struct):
    enabled: bool
    reason: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, state: MaintenanceState) -> MaintenanceStatus:
        return cls(enabled=state.enabled, reason=state.reason, updated_at=state.updated_at)
