"""Scheduled jobs: once per tick across instances, failures retried, started by the service,
and runnable from the CLI."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path

import anyio
import pytest
from litestar.testing import AsyncTestClient
from structlog.testing import capture_logs

from adapters.security.sealed_secrets import AesGcmSealer
from adapters.sql.directory import SqlMemberships
from adapters.sql.events import SqlEventLog
from adapters.sql.jobs import SqlJobLeases
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from adapters.sql.webhooks import SqlWebhookEndpoints
from adapters.system import SystemClock
from core.domain.identity import MerchantRole
from core.domain.webhooks import EndpointStatus, WebhookEndpoint
from entrypoints.container import create_container
from entrypoints.http.app import create_app
from entrypoints.jobs.registry import scheduled_jobs
from entrypoints.jobs.scheduler import Job, Scheduler
from ports.events import Event
from tests.auth import auth_headers
from tests.conftest import TEST_KEYS, make_settings
from tests.fakes import FakeClock
from tests.integration.test_cli import run
from tests.webhook_support import MERCHANT, OWNER, receiving

pytestmark = pytest.mark.anyio


class Counter:
    def __init__(self, fail_times: int = 0) -> None:
        self.calls = 0
        self.fail_times = fail_times

    async def __call__(self, _container: object) -> None:
        self.calls += 1
        await anyio.sleep(0.01)  # long enough for the other instance to try the same tick
        if self.calls <= self.fail_times:
            raise RuntimeError(f"store hiccup #{self.calls}")


async def _store(tmp_path: Path) -> tuple[SqliteExecutor, SqliteExecutor]:
    path = str(tmp_path / "jobs.db")
    first, second = SqliteExecutor(path), SqliteExecutor(path)
    await Migrator(first).migrate()
    return first, second


async def test_two_instances_run_each_tick_of_an_exclusive_job_once(tmp_path: Path) -> None:
    first, second = await _store(tmp_path)
    clock = FakeClock()
    exclusive, shared = Counter(), Counter()
    jobs = [Job("purge", 3600, exclusive), Job("poll", 1, shared, exclusive=False)]
    container = create_container(make_settings(f"sqlite:///{tmp_path / 'unused.db'}"))
    try:
        a = Scheduler(container, jobs, clock=clock, leases=SqlJobLeases(first), owner="a")
        b = Scheduler(container, jobs, clock=clock, leases=SqlJobLeases(second), owner="b")
        for _ in range(3):
            async with anyio.create_task_group() as group:
                group.start_soon(a.run_pending)
                group.start_soon(b.run_pending)
            # A second pass within the same tick runs nothing anywhere.
            assert await a.run_pending() == []
            clock.advance(3600)
        assert exclusive.calls == 3
        assert shared.calls == 6  # a shared job runs on every instance
        rows = await first.execute("SELECT owner, outcome FROM job_ticks WHERE job = 'purge'")
        assert len(rows.rows) == 3
        assert {outcome for _, outcome in rows.rows} == {"succeeded"}
    finally:
        await container.close()
        await first.close()
        await second.close()


async def test_a_failing_job_is_logged_and_runs_again_on_its_next_tick(tmp_path: Path) -> None:
    first, second = await _store(tmp_path)
    clock = FakeClock()
    flaky = Counter(fail_times=1)
    container = create_container(make_settings(f"sqlite:///{tmp_path / 'unused.db'}"))
    try:
        scheduler = Scheduler(
            container,
            [Job("recovery", 60, flaky), Job("settlement", 0, Counter())],
            clock=clock,
            leases=SqlJobLeases(first),
            owner="a",
        )
        assert [j.name for j in scheduler.jobs] == ["recovery"]  # interval 0: disabled
        with capture_logs() as logs:
            (failed,) = await scheduler.run_pending()
        assert failed.outcome == "failed"
        assert "store hiccup #1" in (failed.error or "")
        (entry,) = [e for e in logs if e["event"] == "job_failed"]
        assert entry["job"] == "recovery"
        assert "store hiccup" in entry["error"]
        clock.advance(60)
        (ok,) = await scheduler.run_pending()
        assert ok.outcome == "succeeded"
        assert flaky.calls == 2
        latest = await SqlJobLeases(second).latest("recovery")
        assert latest is not None
        assert latest.outcome == "succeeded"
    finally:
        await container.close()
        await first.close()
        await second.close()


def test_every_job_is_registered_and_settings_disable_them(sql_url: str) -> None:
    names = {job.name: job for job in scheduled_jobs(make_settings(sql_url))}
    assert set(names) == {
        "webhook-delivery",
        "webhook-sweep",
        "recovery",
        "idempotency-purge",
        "rate-limit-purge",
        "balance-snapshots",
        "settlement-batch",
    }
    assert names["webhook-delivery"].exclusive is False
    assert all(job.exclusive for name, job in names.items() if name != "webhook-delivery")
    assert not names["settlement-batch"].enabled  # off by default
    off = scheduled_jobs(make_settings(sql_url, FINTECH_WEBHOOK_DISPATCHER_ENABLED="false"))
    assert not any(job.enabled for job in off if job.name.startswith("webhook"))
    settings = make_settings(sql_url)
    assert settings.job_settlement_interval == 0  # the settlement batch is off by default
    assert (settings.job_recovery_interval, settings.job_idempotency_purge_interval) == (60, 3600)


async def _deliver_in_running_service(tmp_path: Path, **env: str) -> int:
    db = tmp_path / "service.db"
    settings = make_settings(
        f"sqlite:///{db}",
        FINTECH_ENV="development",
        FINTECH_WEBHOOK_POLL_INTERVAL="0.05",
        **{"FINTECH_JOBS_ENABLED": "true", **env},
    )
    app = create_app(settings)  # the real clock: the scheduler's ticks move on their own
    clock = SystemClock()
    # The app runs on the test client's own loop and thread, with its scheduler busy on the
    # store: seed through a connection of this test's own, as another process would.
    seeder = SqliteExecutor(str(db))
    try:
        with receiving() as receiver:
            async with AsyncTestClient(app=app) as client:
                await SqlMemberships(seeder, clock).add(MERCHANT, OWNER, MerchantRole.OWNER)
                created = await client.post(
                    f"/v1/merchants/{MERCHANT}/webhook-endpoints",
                    json={"url": receiver.url, "events": ["*"]},
                    headers=auth_headers(settings, user_id=OWNER, clock=clock),
                )
                assert created.status_code == 201
                await SqlEventLog(seeder).record(
                    Event("evt_live", "payment.captured", MERCHANT, clock.now(), {"id": "p"})
                )
                # Poll the receiver (a thread): 5 s at most, 0.5 s when nothing should come.
                patience = 0.5 if env.get("FINTECH_JOBS_ENABLED") == "false" else 5
                deadline = time.monotonic() + patience
                while time.monotonic() < deadline and not receiver.requests:  # noqa: ASYNC110
                    await anyio.sleep(0.05)
                scheduler_tasks = [
                    t for t in _all_tasks(client) if t.get_name() == "fintech-scheduler"
                ]
            # Shut down: the scheduler task ended with the app.
            assert all(t.done() for t in scheduler_tasks)
    finally:
        await seeder.close()
    return len(receiver.requests)


def _all_tasks(client: AsyncTestClient) -> set[asyncio.Task[object]]:
    portal = client.blocking_portal
    assert portal is not None
    return portal.call(asyncio.all_tasks)  # type: ignore[arg-type,return-value]


async def test_a_running_service_delivers_webhooks_on_its_own(tmp_path: Path) -> None:
    assert await _deliver_in_running_service(tmp_path) == 1


async def test_jobs_disabled_by_settings_do_not_run_in_the_service(tmp_path: Path) -> None:
    assert await _deliver_in_running_service(tmp_path, FINTECH_JOBS_ENABLED="false") == 0


async def _seed(db: Path, url: str) -> None:
    executor = SqliteExecutor(str(db))
    try:
        await Migrator(executor).migrate()
        kid, key = TEST_KEYS.split(":", 1)
        sealer = AesGcmSealer([(kid, base64.b64decode(key))])
        now = SystemClock().now()
        hook = WebhookEndpoint("whe_cli", "mer_1", url, ("*",), EndpointStatus.ENABLED, now)
        await SqlWebhookEndpoints(executor).add(hook, sealer.seal("whsec_cli", "whe_cli"))
        await SqlEventLog(executor).record(
            Event("evt_cli", "settlement.paid", "mer_1", now, {"id": "stl_1"})
        )
    finally:
        await executor.close()


async def test_the_cli_delivers_once_and_lists_and_runs_jobs(tmp_path: Path) -> None:
    with receiving() as receiver:
        await _seed(tmp_path / "cli.db", receiver.url)
        result = await anyio.to_thread.run_sync(
            lambda: run(tmp_path, "deliver-webhooks", "--once", "--json", FINTECH_ENV="development")
        )
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert (summary["scheduled"], summary["delivered"]) == (1, 1)
    (request,) = receiver.requests
    assert json.loads(request.body)["id"] == "evt_cli"

    listed = await anyio.to_thread.run_sync(lambda: run(tmp_path, "jobs", "list", "--json"))
    assert listed.returncode == 0, listed.stderr
    assert {row["job"] for row in json.loads(listed.stdout)} >= {
        "webhook-delivery",
        "webhook-sweep",
        "recovery",
        "settlement-batch",
    }
    swept = await anyio.to_thread.run_sync(lambda: run(tmp_path, "jobs", "run", "webhook-sweep"))
    assert swept.returncode == 0, swept.stderr


def test_running_an_unknown_job_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path, "jobs", "run", "nope")
    assert result.returncode == 2
    assert "unknown job 'nope'" in result.stderr
    assert "webhook-delivery" in result.stderr


async def test_the_scheduler_waits_for_the_store_then_runs_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    first, second = await _store(tmp_path)
    answers = iter([False, False])

    async def ready() -> bool:
        return next(answers, True)  # "migrations pending" twice, then current

    ticks = Counter()
    container = create_container(make_settings(f"sqlite:///{tmp_path / 'unused.db'}"))
    scheduler = Scheduler(
        container,
        [Job("often", 0.02, ticks)],
        clock=SystemClock(),
        leases=SqlJobLeases(first),
        owner="a",
        ready_poll_seconds=0.01,
    )
    try:
        with capture_logs() as logs:
            scheduler.start(ready=ready)
            with anyio.fail_after(5):
                while ticks.calls < 3:  # noqa: ASYNC110
                    await anyio.sleep(0.01)
            await scheduler.stop(grace_seconds=1)
        assert [e["event"] for e in logs].count("jobs_waiting") == 1
        calls = ticks.calls
        await anyio.sleep(0.1)
        assert ticks.calls == calls  # stopped: nothing runs any more
    finally:
        await container.close()
        await first.close()
        await second.close()
