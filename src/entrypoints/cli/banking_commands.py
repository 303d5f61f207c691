"""``sync-balances`` and ``rotate-encryption-key``: bank aggregation operations."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.domain.banking import Connection
from core.domain.identity import SYSTEM
from core.services.balance_history import BalanceHistoryService, SyncReport
from core.services.token_vault import RotationReport, TokenVaultService
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
from entrypoints.providers.banking import teller_certificate_check
from entrypoints.settings import Settings, SettingsError
from ports.sql import SqlError

__all__ = ["require_banking_ready", "rotate_encryption_key", "sync_balances"]


def require_banking_ready(settings: Settings) -> None:
    """Exit with one clear line when the Teller certificate or key cannot be used."""
    try:
        teller_certificate_check(settings, datetime.now(UTC))
    except SettingsError as exc:
        fail(f"{exc.variable}: {exc.reason}", EXIT_CONFIG)


def _progress(hidden: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=hidden,
    )


@click.command("sync-balances")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
def sync_balances(as_json: bool) -> None:
    """Snapshot today's balance of every account of every connection.

    A failing connection is reported and skipped; the exit status is 1 when any failed.
    """
    settings = settings_or_exit()
    require_banking_ready(settings)

    async def work() -> SyncReport:
        async with open_container(settings) as container:
            service = await container.get(BalanceHistoryService)
            with _progress(as_json) as progress:
                task = progress.add_task("syncing balances", total=None)

                def start(total: int) -> None:
                    progress.update(task, total=total)

                def done(connection: Connection, count: int, error: str | None) -> None:
                    progress.advance(task)

                return await service.sync_all(SYSTEM, on_connection=done, on_start=start)

    try:
        report = run_async(work)
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__} (run fintech migrate?)", EXIT_UNAVAILABLE)
    except SettingsError as exc:
        fail(f"{exc.variable}: {exc.reason}", EXIT_CONFIG)
    if as_json:
        print_json(
            {
                "connections": report.connections,
                "snapshots_recorded": report.snapshots_recorded,
                "failures": [{"connection_id": c, "code": e} for c, e in report.failures],
            }
        )
    else:
        console.print(
            f"{report.connections} connection(s), {report.snapshots_recorded} snapshot(s) "
            f"taken, {len(report.failures)} failure(s)"
        )
        if report.failures:
            table = Table(title="failed connections")
            table.add_column("connection")
            table.add_column("error")
            for connection_id, code in report.failures:
                table.add_row(connection_id, code)
            console.print(table)
    if report.failures:
        raise SystemExit(EXIT_FAILED)


@click.command("rotate-encryption-key")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
def rotate_encryption_key(as_json: bool) -> None:
    """Re-encrypt every stored provider token under the active key (the first in the ring).

    Put the new key first in FINTECH_ENCRYPTION_KEYS and keep the old ones until this
    succeeds; it can be re-run safely after an interruption.
    """
    settings = settings_or_exit()
    if settings.encryption_keys_ephemeral:
        fail(
            "FINTECH_ENCRYPTION_KEYS: not set; rotation needs the configured key ring", EXIT_CONFIG
        )

    async def work() -> RotationReport:
        async with open_container(settings) as container:
            vault = await container.get(TokenVaultService)
            with _progress(as_json) as progress:
                task = progress.add_task("re-encrypting tokens", total=None)
                return await vault.rotate(
                    SYSTEM,
                    on_start=lambda total: progress.update(task, total=total),
                    on_row=lambda: progress.advance(task),
                )

    try:
        report = run_async(work)
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__} (run fintech migrate?)", EXIT_UNAVAILABLE)
    summary = {
        "active_key_id": report.active_key_id,
        "candidates": report.candidates,
        "rotated": report.rotated,
        "skipped": report.skipped,
        "unreadable": list(report.unreadable),
    }
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"active key {report.active_key_id}: {report.rotated} token(s) re-encrypted, "
            f"{report.skipped} already changed, {len(report.unreadable)} unreadable"
        )
        for connection_id in report.unreadable:
            console.print(f"  unreadable: {connection_id} (its key is not in the ring)")
    if report.unreadable:
        raise SystemExit(EXIT_FAILED)
