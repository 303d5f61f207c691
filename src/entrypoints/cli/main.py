"""``fintech``: serve the API and operate it."""

from __future__ import annotations

import signal
import sys
from importlib.metadata import version as package_version

import click

from entrypoints.cli.banking_commands import (
    require_banking_ready,
    rotate_encryption_key,
    sync_balances,
)
from entrypoints.cli.identity_commands import audit, create_admin
from entrypoints.cli.market_commands import market
from entrypoints.cli.operations_commands import maintenance
from entrypoints.cli.payments_commands import (
    purge_idempotency_keys,
    recover,
    settle,
    verify_ledger,
)
from entrypoints.cli.runtime import settings_or_exit
from entrypoints.cli.store_commands import doctor, migrate
from entrypoints.cli.webhook_commands import deliver_webhooks, jobs

__all__ = ["cli", "main"]

APP_FACTORY = "entrypoints.http.app:create_app_from_env"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version("fintech"), prog_name="fintech")
def cli() -> None:
    """Operate the fintech API service."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--graceful-timeout",
    default=20,
    show_default=True,
    type=click.IntRange(1, 600),
    help="Seconds to let in-flight requests finish on SIGTERM.",
)
def serve(host: str, port: int, workers: int, graceful_timeout: int) -> None:
    """Serve the HTTP API (uvicorn; SIGTERM drains in-flight requests, then exits)."""
    import uvicorn

    settings = settings_or_exit()
    require_banking_ready(settings)
    # uvicorn drains in-flight requests on SIGTERM, then re-raises the signal to the handler
    # installed before it: a completed graceful shutdown is a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=graceful_timeout,
        log_level=settings.log_level.lower(),
    )


@cli.command()
def version() -> None:
    """Print the service version."""
    click.echo(package_version("fintech"))


cli.add_command(migrate)
cli.add_command(doctor)
cli.add_command(create_admin)
cli.add_command(audit)
cli.add_command(maintenance)
cli.add_command(market)
cli.add_command(settle)
cli.add_command(recover)
cli.add_command(verify_ledger)
cli.add_command(purge_idempotency_keys)
cli.add_command(sync_balances)
cli.add_command(rotate_encryption_key)
cli.add_command(deliver_webhooks)
cli.add_command(jobs)


def main() -> None:
    cli(prog_name="fintech")
