"""``create-admin`` and ``audit``: the operator's side of identity and the audit trail."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import anyio
import click
from dishka import AsyncContainer
from rich.table import Table

from adapters.sql.migrator import Migrator
from core.domain.errors import DomainError
from core.domain.identity import SYSTEM
from core.services.audit_trail import AuditTrail
from core.services.identity import IdentityService
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
from entrypoints.settings import Settings
from ports.audit import AuditEvent
from ports.sql import SqlError

__all__ = ["audit", "create_admin"]


async def _prepare(settings: Settings, container: AsyncContainer) -> None:
    # Like `serve`: outside production a fresh store gets its schema on first use.
    if settings.auto_migrate:
        await (await container.get(Migrator)).migrate()


@click.command("create-admin")
@click.option("--email", required=True, help="The admin's email address.")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (never from the command line).",
)
def create_admin(email: str, password_stdin: bool) -> None:
    """Create an admin user, or promote the existing user with this email to admin."""
    if not password_stdin:
        fail("--password-stdin is required (passwords are never taken as arguments)", EXIT_CONFIG)
    password = sys.stdin.readline().rstrip("\r\n")
    settings = settings_or_exit()

    async def work() -> tuple[str, bool]:
        async with open_container(settings) as container:
            await _prepare(settings, container)
            identity = await container.get(IdentityService)
            user, created = await identity.ensure_admin(SYSTEM, email, password)
            return user.id, created

    try:
        user_id, created = run_async(work)
    except DomainError as exc:
        errors = getattr(exc, "errors", ())
        detail = "; ".join(f"{e.field} {e.message}" for e in errors) or exc.detail
        fail(detail)
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__}", EXIT_UNAVAILABLE)
    verb = "created admin" if created else "promoted to admin"
    console.print(f"{verb} {user_id}")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            "expected an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z", param_hint="--since"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _as_dict(event: AuditEvent) -> dict[str, str | None]:
    return {
        "id": event.id,
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "actor_id": event.actor_id,
        "action": event.action,
        "target": event.target,
        "outcome": event.outcome,
        "correlation_id": event.correlation_id,
    }


def _table(events: list[AuditEvent]) -> Table:
    table = Table(title="audit trail")
    for column in ("at", "actor", "action", "target", "outcome", "correlation id", "id"):
        table.add_column(column, overflow="fold")
    colours = {"success": "green", "failure": "red", "denied": "red"}
    for e in events:
        row = _as_dict(e)
        outcome = e.outcome
        table.add_row(
            row["at"],
            e.actor_id or "-",
            e.action,
            e.target or "-",
            f"[{colours.get(outcome, 'yellow')}]{outcome}[/]",
            e.correlation_id or "-",
            e.id,
        )
    return table


@click.command()
@click.option("--follow", "-f", is_flag=True, help="Keep polling and print new events.")
@click.option("--actor", help="Only events by this actor id.")
@click.option("--action", help="Only events with this action (e.g. auth.login).")
@click.option("--since", help="Only events at or after this RFC 3339 time.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="JSON (one object per line with --follow).")
@click.option(
    "--interval",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.05, 3600),
    help="Seconds between polls with --follow.",
)
def audit(
    follow: bool,
    actor: str | None,
    action: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
    interval: float,
) -> None:
    """Show the audit trail (the latest events, oldest first); --follow to keep watching."""
    settings = settings_or_exit()
    since_at = _since(since)

    def show(events: list[AuditEvent], *, streaming: bool) -> None:
        if as_json and streaming:
            for e in events:
                click.echo(json.dumps(_as_dict(e), sort_keys=True))
            sys.stdout.flush()
        elif as_json:
            print_json([_as_dict(e) for e in events])
        elif streaming:
            for e in events:
                d = _as_dict(e)
                console.print(
                    f"{d['at']}  {e.action:<22} actor={e.actor_id or '-'} "
                    f"target={e.target or '-'} outcome={e.outcome} id={e.id}"
                )
        else:
            console.print(_table(events))

    async def work() -> None:
        async with open_container(settings) as container:
            trail = await container.get(AuditTrail)
            page = await trail.page(
                SYSTEM, actor_id=actor, action=action, since=since_at, limit=limit
            )
            latest = list(reversed(page.items))
            show(latest, streaming=follow)
            if not follow:
                return
            last = latest[-1].id if latest else None
            while True:
                await anyio.sleep(interval)
                newer = await trail.after(
                    SYSTEM, after=last, actor_id=actor, action=action, since=since_at
                )
                if newer:
                    show(newer, streaming=True)
                    last = newer[-1].id

    try:
        run_async(work)
    except KeyboardInterrupt:
        return
    except SqlError as exc:
        fail(f"the store failed: {type(exc).__name__}", EXIT_UNAVAILABLE)
