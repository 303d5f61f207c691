"""Maintenance mode in the core: which requests it refuses, the cached gate, who may switch it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.domain.errors import PermissionDenied, ValidationFailed
from core.domain.identity import SYSTEM, Principal
from core.domain.maintenance import (
    MaintenanceOn,
    MaintenanceState,
    is_write_blocked_by_maintenance,
)
from core.services.maintenance import MaintenanceGate, MaintenanceService
from ports.audit import AuditEvent
from ports.service_flags import ServiceFlag
from ports.sql import DatabaseUnavailable
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


class MemoryFlags:
    def __init__(self) -> None:
        self.rows: dict[str, ServiceFlag] = {}
        self.reads = 0
        self.down = False

    async def get(self, name: str) -> ServiceFlag | None:
        self.reads += 1
        if self.down:
            raise DatabaseUnavailable("connection refused")
        return self.rows.get(name)

    async def put(self, flag: ServiceFlag) -> None:
        self.rows[flag.name] = flag


class MemoryAudit:
    def __init__(self) -> None:
        self.actions: list[tuple[str | None, str]] = []

    async def record(
        self,
        *,
        actor_id: str | None,
        action: str,
        target: str | None = None,
        outcome: str = "success",
    ) -> AuditEvent:
        self.actions.append((actor_id, action))
        return AuditEvent("aud_1", datetime.now(UTC), actor_id, action, target, outcome, None)


@pytest.mark.parametrize(
    ("method", "path", "blocked"),
    [
        ("POST", "/v1/merchants/mer_1/payments", True),
        ("PUT", "/v1/budgets/bud_1", True),
        ("PATCH", "/v1/goals/gol_1", True),
        ("DELETE", "/v1/banking/connections/con_1", True),
        ("POST", "/v1", True),
        ("POST", "/v1/adminx", True),
        ("POST", "/v1/authz/x", True),
        ("POST", "/v1/admin/maintenance", False),
        ("POST", "/v1/admin", False),
        ("POST", "/v1/auth/login", False),
        ("POST", "/v1/auth", False),
        ("GET", "/v1/merchants", False),
        ("HEAD", "/v1/merchants", False),
        ("OPTIONS", "/v1/merchants", False),
        ("POST", "/health/ready", False),
        ("POST", "/v10/x", False),
    ],
)
def test_only_v1_writes_outside_admin_and_auth_are_refused(
    method: str, path: str, blocked: bool
) -> None:
    assert is_write_blocked_by_maintenance(method, path) is blocked


def test_the_refusal_names_the_reason_and_asks_to_retry() -> None:
    error = MaintenanceOn("db upgrade")
    assert error.code == "maintenance"
    assert error.retry_after == 60
    assert "db upgrade" in error.detail


def test_a_stored_value_that_is_not_json_reads_as_off() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert MaintenanceState.from_value("garbage", at).enabled is False
    assert MaintenanceState.from_value("[1]", at).enabled is False
    assert MaintenanceState.from_value('{"enabled": "yes"}', at).enabled is False
    state = MaintenanceState.create(True, "  upgrade  ", at)
    assert MaintenanceState.from_value(state.to_value(), at) == state
    assert state.reason == "upgrade"
    assert MaintenanceState.create(False, "   ", at).reason is None
    with pytest.raises(ValidationFailed):
        MaintenanceState.create(True, "x" * 501, at)


async def test_the_gate_reads_the_store_at_most_once_per_ttl() -> None:
    flags, clock = MemoryFlags(), FakeClock()
    gate = MaintenanceGate(flags, clock, ttl=1.0)
    for _ in range(5):
        assert (await gate.current()).enabled is False
    assert flags.reads == 1
    await flags.put(ServiceFlag("maintenance", '{"enabled": true}', clock.now()))
    assert (await gate.current()).enabled is False  # cached
    clock.advance(1.01)
    assert (await gate.current()).enabled is True
    assert flags.reads == 2


async def test_the_gate_keeps_the_last_known_value_while_the_store_is_down() -> None:
    flags, clock = MemoryFlags(), FakeClock()
    await flags.put(ServiceFlag("maintenance", '{"enabled": true}', clock.now()))
    gate = MaintenanceGate(flags, clock, ttl=1.0)
    assert (await gate.current()).enabled is True
    flags.down = True
    clock.advance(2)
    assert (await gate.current()).enabled is True
    assert gate.refresh_failures == 1


async def test_only_admins_switch_it_and_every_switch_is_audited() -> None:
    flags, clock, audit = MemoryFlags(), FakeClock(), MemoryAudit()
    gate = MaintenanceGate(flags, clock)
    service = MaintenanceService(flags, clock, audit, gate)
    with pytest.raises(PermissionDenied):
        await service.set(Principal(user_id="usr_1"), enabled=True)
    assert flags.rows == {}
    state = await service.set(SYSTEM, enabled=True, reason="drill")
    assert state.updated_at == clock.now()
    assert (await gate.current()).enabled is True  # the writer sees it without waiting
    assert (await service.status()) == state
    await service.set(SYSTEM, enabled=False)
    assert audit.actions == [("system", "maintenance.enable"), ("system", "maintenance.disable")]
