"""Operations: metrics, tracing, service flags and maintenance mode."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, alias, provide

from adapters.sql.service_flags import SqlServiceFlags
from core.services.maintenance import MaintenanceGate, MaintenanceService
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.tracing import Tracing, build_tracing
from entrypoints.settings import Settings
from ports.clock import Clock
from ports.metrics import OperationsMetrics
from ports.service_flags import ServiceFlags

__all__ = ["MAINTENANCE_CACHE_SECONDS", "OperationsProvider"]

MAINTENANCE_CACHE_SECONDS = 1.0
"""How stale this process's view of the maintenance flag may be."""


class OperationsProvider(Provider):
    scope = Scope.APP

    @provide
    def metrics(self) -> Metrics:
        return Metrics()

    operations_metrics = alias(source=Metrics, provides=OperationsMetrics)

    @provide
    async def tracing(self, settings: Settings) -> AsyncIterator[Tracing]:
        tracing = build_tracing(settings.otel_traces_exporter)
        try:
            yield tracing
        finally:
            tracing.shutdown()

    flags = provide(SqlServiceFlags, provides=ServiceFlags)

    @provide
    def maintenance_gate(self, flags: ServiceFlags, clock: Clock) -> MaintenanceGate:
        return MaintenanceGate(flags, clock, ttl=MAINTENANCE_CACHE_SECONDS)

    maintenance = provide(MaintenanceService)
