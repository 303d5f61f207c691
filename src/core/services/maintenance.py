"""Turning maintenance mode on and off, and the cached check every write passes."""

from __future__ import annotations

from core.domain.errors import PermissionDenied
from core.domain.identity import Principal
from core.domain.maintenance import MAINTENANCE_FLAG, OFF, MaintenanceState
from ports.audit import AuditLog
from ports.clock import Clock
from ports.service_flags import ServiceFlag, ServiceFlags
from ports.sql import SqlError

__all__ = ["MaintenanceGate", "MaintenanceService"]


class MaintenanceGate:
    """The flag as this process last read it, refreshed at most every ``ttl`` seconds.

    Instances agree through the store within ``ttl``; a failed refresh keeps the last known
    value (the store being down fails the writes anyway) and retries after ``ttl``.
    """

    def __init__(self, flags: ServiceFlags, clock: Clock, ttl: float = 1.0) -> None:
        self._flags = flags
        self._clock = clock
        self._ttl = ttl
        self._state: MaintenanceState = OFF
        self._expires = float("-inf")
        self.refresh_failures = 0

    async def current(self) -> MaintenanceState:
        now = self._clock.monotonic()
        if now < self._expires:
            return self._state
        # Concurrent requests keep using the old value while this one refreshes.
        self._expires = now + self._ttl
        try:
            flag = await self._flags.get(MAINTENANCE_FLAG)
        except SqlError:
            self.refresh_failures += 1
            return self._state
        self._state = (
            OFF if flag is None else MaintenanceState.from_value(flag.value, flag.updated_at)
        )
        return self._state

    def remember(self, state: MaintenanceState) -> None:
        """This process just wrote ``state``: use it at once."""
        self._state = state
        self._expires = self._clock.monotonic() + self._ttl


class MaintenanceService:
    def __init__(
        self, flags: ServiceFlags, clock: Clock, audit: AuditLog, gate: MaintenanceGate
    ) -> None:
        self._flags = flags
        self._clock = clock
        self._audit = audit
        self._gate = gate

    async def status(self) -> MaintenanceState:
        """The stored state (not the cache)."""
        flag = await self._flags.get(MAINTENANCE_FLAG)
        return OFF if flag is None else MaintenanceState.from_value(flag.value, flag.updated_at)

    async def set(
        self, principal: Principal, *, enabled: bool, reason: str | None = None
    ) -> MaintenanceState:
        """Turn maintenance on or off (admins only); audited."""
        if not principal.is_admin:
            raise PermissionDenied("Only administrators can change maintenance mode")
        state = MaintenanceState.create(enabled, reason, self._clock.now())
        assert state.updated_at is not None
        await self._flags.put(
            ServiceFlag(name=MAINTENANCE_FLAG, value=state.to_value(), updated_at=state.updated_at)
        )
        self._gate.remember(state)
        await self._audit.record(
            actor_id=principal.user_id,
            action="maintenance.enable" if enabled else "maintenance.disable",
            target=MAINTENANCE_FLAG,
        )
        return state
