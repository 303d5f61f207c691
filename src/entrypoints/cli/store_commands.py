"""``migrate`` and ``doctor``: the store and the configuration."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.table import Table

from adapters.sql.dialect_probe import probe_dialect
from adapters.sql.migrator import Migration, Migrator
from entrypoints.cli.operations_commands import maintenance_row, tracing_row
from entrypoints.cli.runtime import (
    EXIT_FAILED,
    EXIT_UNAVAILABLE,
    console,
    fail,
    open_container,
    print_json,
    run_async,
    settings_or_exit,
)
from entrypoints.providers.banking import banking_doctor_rows
from entrypoints.settings import Settings
from ports.sql import SqlError, SqlExecutor, StatementRejected


@click.command()
@click.option("--status", "status_only", is_flag=True, help="List pending migrations, apply none.")
def migrate(status_only: bool) -> None:
    """Apply pending schema migrations to the configured store."""
    settings = settings_or_exit()

    async def work() -> list[Migration]:
        async with open_container(settings) as container:
            migrator = await container.get(Migrator)
            if status_only:
                return await migrator.pending()
            return await migrator.migrate(
                on_applied=lambda m: console.print(f"applied {m.version:04d}_{m.name}")
            )

    try:
        done = run_async(work)
    except StatementRejected as exc:
        fail(
            f"the {settings.sql_url.kind} store rejected a statement the schema needs: {exc} "
            "(fintech doctor lists every statement shape it rejects)",
            EXIT_FAILED,
        )
    except SqlError as exc:
        fail(f"migration failed on {settings.sql_url.kind}: {exc}", EXIT_UNAVAILABLE)
    if status_only:
        for m in done:
            console.print(f"pending {m.version:04d}_{m.name}")
        console.print(f"{len(done)} pending migration(s)")
        if done:
            raise SystemExit(EXIT_FAILED)
    else:
        console.print(f"{len(done)} migration(s) applied; schema is current")


def _settings_rows(settings: Settings) -> list[tuple[str, str, str]]:
    rows = [
        ("environment", "ok", settings.env),
        ("store", "ok", f"{settings.sql_url.kind} ({settings.sql_url.redacted()})"),
        (
            "secret key",
            "warn" if settings.secret_key_ephemeral else "ok",
            "ephemeral (set FINTECH_SECRET_KEY)" if settings.secret_key_ephemeral else "configured",
        ),
        (
            "encryption keys",
            "warn" if settings.encryption_keys_ephemeral else "ok",
            "ephemeral (set FINTECH_ENCRYPTION_KEYS)"
            if settings.encryption_keys_ephemeral
            else f"{len(settings.encryption_keys)} key(s), active {settings.encryption_keys[0][0]}",
        ),
        ("banking provider", "ok", settings.resolved_banking_provider),
        ("market provider", "ok", settings.resolved_market_provider),
        tracing_row(settings.otel_traces_exporter),
    ]
    rows.extend(banking_doctor_rows(settings, datetime.now(UTC)))
    return rows


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def doctor(as_json: bool) -> None:
    """Check configuration, store reachability and latency, migrations and the SQL dialect."""
    settings = settings_or_exit()
    rows = _settings_rows(settings)

    async def probe_store() -> None:
        async with open_container(settings) as container:
            executor = await container.get(SqlExecutor)
            try:
                latency = await executor.ping()
            except SqlError as exc:
                rows.append(("store reachable", "fail", f"{type(exc).__name__}: {exc}"))
                return
            rows.append(("store reachable", "ok", f"round trip {latency * 1000:.2f} ms"))
            migrator = await container.get(Migrator)
            try:
                pending = await migrator.pending()
            except SqlError as exc:
                rows.append(("migrations", "fail", f"cannot read schema_migrations: {exc}"))
            else:
                if pending:
                    names = ", ".join(f"{m.version:04d}_{m.name}" for m in pending)
                    rows.append(
                        (
                            "migrations",
                            "fail",
                            f"{len(pending)} pending: {names} (run fintech migrate)",
                        )
                    )
                else:
                    rows.append(("migrations", "ok", "schema is current"))
                    rows.append(await maintenance_row(container))
            steps = await probe_dialect(executor)
            rejected = [step for step in steps if not step.ok]
            for step in rejected:
                rows.append((f"dialect: {step.shape}", "fail", step.detail))
            if not rejected:
                rows.append(
                    (
                        "dialect",
                        "ok",
                        f"{len(steps)} statement shapes the service needs all accepted",
                    )
                )

    run_async(probe_store)
    failed = any(status == "fail" for _, status, _ in rows)
    if as_json:
        print_json(
            {
                "ok": not failed,
                "checks": [{"check": c, "status": s, "detail": d} for c, s, d in rows],
            }
        )
    else:
        table = Table(title="fintech doctor")
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail", overflow="fold")
        colours = {"ok": "green", "warn": "yellow", "fail": "red"}
        for check, status, detail in rows:
            table.add_row(check, f"[{colours[status]}]{status}[/]", detail)
        console.print(table)
    if failed:
        raise SystemExit(EXIT_FAILED)
