"""The jobs the service runs, and how it starts and stops them.

Registering a job is one line in ``scheduled_jobs``:
``Job("recovery", settings.job_recovery_interval, call(RecoveryService, "run"))``.
An interval of 0 disables a job; ``FINTECH_JOBS_ENABLED=false`` disables them all in the
service process (the CLI can still run each one).
"""

from __future__ import annotations

from typing import Any

import anyio
import attrs
import structlog
from dishka import AsyncContainer

from adapters.sql.migrator import Migrator
from core.domain.identity import SYSTEM
from core.services.balance_history import BalanceHistoryService
from core.services.idempotency import IdempotencyService
from core.services.rate_limiting import RateLimiter
from core.services.recovery import RecoveryService
from core.services.settlements import SettlementService
from core.services.webhook_delivery import DispatchReport, WebhookDispatcher
from entrypoints.jobs.scheduler import Job, Scheduler, call
from entrypoints.providers.webhooks import instance_name
from entrypoints.settings import Settings
from ports.clock import Clock
from ports.jobs import JobLeases

__all__ = ["BackgroundJobs", "deliver_webhooks", "dispatch_pass", "scheduled_jobs"]

log = structlog.get_logger("fintech.webhooks")


async def dispatch_pass(dispatcher: WebhookDispatcher, concurrency: int) -> DispatchReport:
    """Schedule new events, then send what is due on ``concurrency`` lanes at once.

    Lanes overlap their network waits, so one slow receiver holds up one lane for at most the
    timeout instead of the whole pass; claims keep every attempt to exactly one lane.
    """
    report = DispatchReport(scheduled=await dispatcher.fan_out())

    async def lane(index: int) -> None:
        report.add(await dispatcher.deliver_due(lane=index, lanes=concurrency))

    async with anyio.create_task_group() as group:
        for index in range(concurrency):
            group.start_soon(lane, index)
    return report


async def deliver_webhooks(container: AsyncContainer) -> object:
    """One dispatcher pass; logs what it did when it did anything (never secrets or bodies)."""
    settings = await container.get(Settings)
    dispatcher = await container.get(WebhookDispatcher)
    report = await dispatch_pass(dispatcher, settings.webhook_concurrency)
    if report.scheduled or report.attempted or report.cancelled:
        log.info("webhook_pass", **attrs.asdict(report))
    if report.gave_up:
        log.warning("webhook_deliveries_gave_up", count=report.gave_up)
    if report.errors:
        log.error("webhook_attempts_errored", count=report.errors, error=report.last_error)
    return report


def scheduled_jobs(settings: Settings) -> list[Job]:
    """Every job with its configured interval (disabled ones have interval 0)."""
    webhooks = settings.webhook_dispatcher_enabled
    return [
        # Continuous: every instance polls; each attempt is claimed row by row.
        Job(
            "webhook-delivery",
            settings.webhook_poll_interval if webhooks else 0,
            deliver_webhooks,
            exclusive=False,
        ),
        # Re-scan the whole retry horizon for events recorded late (e.g. by recovery).
        Job(
            "webhook-sweep",
            settings.webhook_sweep_interval if webhooks else 0,
            call(WebhookDispatcher, "sweep"),
        ),
        # Once per tick across instances (a lease row decides which instance runs it).
        Job("recovery", settings.job_recovery_interval, call(RecoveryService, "run")),
        Job(
            "idempotency-purge",
            settings.job_idempotency_purge_interval,
            call(IdempotencyService, "purge"),
        ),
        Job(
            "rate-limit-purge",
            settings.job_idempotency_purge_interval,
            call(RateLimiter, "purge_expired"),
        ),
        Job(
            "balance-snapshots",
            settings.job_balance_snapshot_interval,
            call(BalanceHistoryService, "sync_all", SYSTEM),
        ),
        Job(
            "settlement-batch",
            settings.job_settlement_interval,
            call(SettlementService, "settle_all"),
        ),
    ]


class BackgroundJobs:
    """The scheduler inside the service process, started and stopped by the app's lifespan."""

    def __init__(self, container: AsyncContainer, settings: Settings) -> None:
        self._container = container
        self._settings = settings
        self._scheduler: Scheduler | None = None

    async def start(self, _app: Any = None) -> None:
        if not self._settings.jobs_enabled:
            return
        self._scheduler = Scheduler(
            self._container,
            scheduled_jobs(self._settings),
            clock=await self._container.get(Clock),
            leases=await self._container.get(JobLeases),
            owner=instance_name(),
        )
        migrator = await self._container.get(Migrator)

        async def schema_is_current() -> bool:
            # Without FINTECH_AUTO_MIGRATE the jobs wait for `fintech migrate` instead of
            # failing every tick against missing tables.
            return not await migrator.pending()

        self._scheduler.start(ready=schema_is_current)

    async def stop(self, _app: Any = None) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await scheduler.stop()
