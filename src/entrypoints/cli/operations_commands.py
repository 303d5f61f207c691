"""``maintenance on|off|status``: pause writes on every instance through the store."""

from __future__ import annotations

import click
from dishka import AsyncContainer
from rich.table import Table

from core.domain.identity import SYSTEM
from core.domain.maintenance import MaintenanceState
from core.services.maintenance import MaintenanceService
from entrypoints.cli.runtime import (
    EXIT_CONFIG,
    EXIT_UNAVAILABLE,
    console,
    fail,
    open_container,
    print_json,
    run_async,
    settings_or_exit,
)
from entrypoints.observability.tracing import otlp_exporter_available
from entrypoints.providers.operations import MAINTENANCE_CACHE_SECONDS
from entrypoints.settings import SettingsError
from ports.sql import SqlError

__all__ = ["maintenance", "maintenance_row", "tracing_row"]


def _show(state: MaintenanceState, as_json: bool) -> None:
    updated = state.updated_at.isoformat() if state.updated_at else None
    if as_json:
        print_json({"enabled": state.enabled, "reason": state.reason, "updated_at": updated})
        return
    table = Table(title="maintenance mode")
    table.add_column("enabled")
    table.add_column("reason", overflow="fold")
    table.add_column("updated at")
    table.add_row(
        "[yellow]on[/]" if state.enabled else "[green]off[/]", state.reason or "-", updated or "-"
    )
    console.print(table)


def _run(enabled: bool | None, reason: str | None) -> MaintenanceState:
    settings = settings_or_exit()

    async def work() -> MaintenanceState:
        async with open_container(settings) as container:
            service = await container.get(MaintenanceService)
            if enabled is None:
                return await service.status()
            return await service.set(SYSTEM, enabled=enabled, reason=reason)

    try:
        return run_async(work)
    except SettingsError as exc:
        fail(f"{exc.variable}: {exc.reason}", EXIT_CONFIG)
    except SqlError as exc:
        fail(
            f"cannot reach the {settings.sql_url.kind} store: {type(exc).__name__}",
            EXIT_UNAVAILABLE,
        )


_json = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@click.group()
def maintenance() -> None:
    """Maintenance mode: while on, /v1 writes (except admin and auth) answer 503."""


@maintenance.command("on")
@click.option("--reason", default=None, help="Shown to clients in the 503 answer; no secrets.")
@_json
def maintenance_on(reason: str | None, as_json: bool) -> None:
    """Turn maintenance mode on for every instance (each sees it within about a second)."""
    state = _run(True, reason)
    _show(state, as_json)
    if not as_json:
        console.print(f"instances refuse writes within {MAINTENANCE_CACHE_SECONDS:g} s")


@maintenance.command("off")
@_json
def maintenance_off(as_json: bool) -> None:
    """Turn maintenance mode off for every instance."""
    _show(_run(False, None), as_json)


@maintenance.command("status")
@_json
def maintenance_status(as_json: bool) -> None:
    """Show the stored maintenance state."""
    _show(_run(None, None), as_json)


# -- rows ``fintech doctor`` adds --------------------------------------------------------------


def tracing_row(exporter: str) -> tuple[str, str, str]:
    """The trace exporter the OTEL_* variables pick, and whether this build can run it."""
    if exporter == "none":
        return ("traces", "ok", "off (set OTEL_TRACES_EXPORTER=console|otlp to export spans)")
    if exporter == "otlp" and not otlp_exporter_available():
        return (
            "traces",
            "fail",
            "otlp needs the opentelemetry-exporter-otlp package "
            "(uv add opentelemetry-exporter-otlp)",
        )
    return ("traces", "ok", f"exported with {exporter}")


async def maintenance_row(container: AsyncContainer) -> tuple[str, str, str]:
    """Warn when maintenance mode is on: writes are being refused."""
    try:
        state = await (await container.get(MaintenanceService)).status()
    except SqlError as exc:
        return ("maintenance", "fail", f"cannot read service_flags: {type(exc).__name__}")
    if not state.enabled:
        return ("maintenance", "ok", "off")
    since = state.updated_at.isoformat() if state.updated_at else "?"
    reason = f": {state.reason}" if state.reason else ""
    return ("maintenance", "warn", f"on since {since}{reason} (fintech maintenance off)")
