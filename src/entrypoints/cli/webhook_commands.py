"""``deliver-webhooks`` and ``jobs``: run the dispatcher and the scheduled jobs by hand."""

from __future__ import annotations

import attrs
import click
from rich.table import Table

from adapters.sql.migrator import Migrator
from core.services.webhook_delivery import DispatchReport, WebhookDispatcher
from entrypoints.cli.runtime import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_UNAVAILABLE,
    console,
    fail,
    open_container,
    print_json,
    run_async,
    settings_or_exit,
)
from entrypoints.jobs.registry import dispatch_pass, scheduled_jobs
from ports.jobs import JobLeases, JobRun
from ports.sql import SqlError

__all__ = ["deliver_webhooks", "jobs"]


def _report_table(report: DispatchReport, title: str) -> Table:
    table = Table(title=title)
    table.add_column("count")
    table.add_column("value", justify="right")
    for name, value in attrs.asdict(report).items():
        if value is not None:
            table.add_row(name.replace("_", " "), str(value))
    return table


@click.command("deliver-webhooks")
@click.option("--once", is_flag=True, help="One pass (schedule, then send what is due), then exit.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary (with --once).")
def deliver_webhooks(once: bool, as_json: bool) -> None:
    """Send due webhook deliveries (continuously until Ctrl-C, or once with --once)."""
    import anyio

    settings = settings_or_exit()

    async def work() -> DispatchReport:
        total = DispatchReport()
        async with open_container(settings) as container:
            if await (await container.get(Migrator)).pending():
                fail("migrations are pending: run `fintech migrate` first", EXIT_FAILED)
            dispatcher = await container.get(WebhookDispatcher)
            while True:
                report = await dispatch_pass(dispatcher, settings.webhook_concurrency)
                total.add(report)
                if once:
                    return total
                if report.attempted or report.scheduled:
                    console.print(
                        f"scheduled {report.scheduled}, attempted {report.attempted}, "
                        f"delivered {report.delivered}, retrying {report.retrying}, "
                        f"gave up {report.gave_up}"
                    )
                await anyio.sleep(settings.webhook_poll_interval)

    try:
        total = run_async(work)
    except KeyboardInterrupt:
        return
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__}: {exc}", EXIT_UNAVAILABLE)
    if as_json:
        print_json(attrs.asdict(total))
    else:
        console.print(_report_table(total, "webhook deliveries"))


@click.group()
def jobs() -> None:
    """List the scheduled jobs or run one now."""


def _run_row(run: JobRun | None) -> dict[str, object]:
    if run is None:
        return {"last_tick": None, "last_outcome": None, "last_finished_at": None}
    return {
        "last_tick": run.tick,
        "last_outcome": run.outcome,
        "last_finished_at": run.finished_at,
    }


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_jobs(as_json: bool) -> None:
    """Every job, its interval, whether the service runs it, and its last exclusive run."""
    settings = settings_or_exit()

    async def work() -> list[dict[str, object]]:
        rows = []
        async with open_container(settings) as container:
            leases = await container.get(JobLeases)
            for job in scheduled_jobs(settings):
                last = await leases.latest(job.name) if job.exclusive else None
                rows.append(
                    {
                        "job": job.name,
                        "interval_seconds": job.interval,
                        "enabled": job.enabled and settings.jobs_enabled,
                        "exclusive": job.exclusive,
                        **_run_row(last),
                    }
                )
        return rows

    try:
        rows = run_async(work)
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__}: {exc}", EXIT_UNAVAILABLE)
    if as_json:
        print_json(rows)
        return
    table = Table(title="scheduled jobs")
    for column in ("job", "interval", "enabled", "one instance per tick", "last run"):
        table.add_column(column)
    for row in rows:
        last = (
            "-" if row["last_tick"] is None else f"{row['last_outcome']} {row['last_finished_at']}"
        )
        table.add_row(
            str(row["job"]),
            f"{row['interval_seconds']:g} s",
            "yes" if row["enabled"] else "no",
            "yes" if row["exclusive"] else "no (claims per item)",
            last,
        )
    console.print(table)


@jobs.command("run")
@click.argument("name")
def run_job(name: str) -> None:
    """Run one job now, in this process (whether or not the service schedules it)."""
    settings = settings_or_exit()
    known = {job.name: job for job in scheduled_jobs(settings)}
    job = known.get(name)
    if job is None:
        fail(f"unknown job {name!r}; known: {', '.join(sorted(known))}", EXIT_CONFIG)

    async def work() -> object:
        async with open_container(settings) as container:
            return await job.run(container)

    try:
        result = run_async(work)
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__}: {exc}", EXIT_UNAVAILABLE)
    except Exception as exc:
        fail(f"job {name} failed: {type(exc).__name__}: {exc}", EXIT_FAILED)
    if isinstance(result, DispatchReport):
        console.print(_report_table(result, name))
    else:
        console.print(f"job {name} finished" + ("" if result is None else f": {result}"))
