"""``settle``, ``recover``, ``verify-ledger`` and ``purge-idempotency-keys``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from dishka import AsyncContainer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from adapters.sql.migrator import Migrator
from core.services.idempotency import IdempotencyService
from core.services.ledger_verification import LedgerVerifier, Violation
from core.services.recovery import DEFAULT_GRACE_SECONDS, RecoveryReport, RecoveryService
from core.services.settlements import BatchResult, SettlementService
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
from ports.sql import SqlError

__all__ = ["purge_idempotency_keys", "recover", "settle", "verify_ledger"]

T = TypeVar("T")


def _run(work: Callable[[AsyncContainer], Awaitable[T]]) -> T:
    """Run ``work`` with the container once the schema is current; exit 3 on store failure."""
    settings = settings_or_exit()

    async def main() -> T:
        async with open_container(settings) as container:
            pending = await (await container.get(Migrator)).pending()
            if pending:
                fail(f"{len(pending)} pending migration(s): run `fintech migrate` first")
            return await work(container)

    try:
        return run_async(main)
    except SqlError as exc:
        fail(f"the store failed ({type(exc).__name__}): {exc}", EXIT_UNAVAILABLE)


@click.command()
@click.option("--merchant", "merchant_id", help="Settle this merchant only.")
@click.option("--all", "all_merchants", is_flag=True, help="Settle every merchant.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def settle(merchant_id: str | None, all_merchants: bool, as_json: bool) -> None:
    """Pay out every captured, unsettled balance (per merchant and currency)."""
    if bool(merchant_id) == all_merchants:
        raise click.UsageError("give exactly one of --merchant ID or --all")

    async def work(container: AsyncContainer) -> list[BatchResult]:
        service = await container.get(SettlementService)
        with Progress(
            TextColumn("settling"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            disable=as_json,
        ) as progress:
            task = progress.add_task("settle", total=None)
            return await service.settle_all(
                merchant_id,
                on_total=lambda n: progress.update(task, total=n),
                on_result=lambda _: progress.advance(task),
            )

    results = _run(work)
    failed = [r for r in results if r.error not in (None, "nothing_to_settle")]
    if as_json:
        print_json(
            [
                {
                    "merchant_id": r.merchant_id,
                    "currency": r.currency,
                    "settlement_id": r.settlement.id if r.settlement else None,
                    "amount": r.settlement.amount if r.settlement else 0,
                    "status": r.settlement.status.value if r.settlement else r.error,
                }
                for r in results
            ]
        )
    else:
        table = Table(title="settlements")
        for column in ("merchant", "currency", "settlement", "amount", "payments", "status"):
            table.add_column(
                column, justify="right" if column in ("amount", "payments") else "left"
            )
        for r in results:
            s = r.settlement
            table.add_row(
                r.merchant_id,
                r.currency,
                s.id if s else "-",
                str(s.amount) if s else "0",
                str(s.payment_count) if s else "0",
                s.status.value if s else str(r.error),
            )
        console.print(table)
        paid = sum(1 for r in results if r.settlement and r.settlement.status.value == "paid")
        console.print(f"{paid} paid, {len(failed)} failed, {len(results)} checked")
    if failed or any(r.settlement and r.settlement.status.value == "failed" for r in results):
        raise SystemExit(EXIT_FAILED)


@click.command()
@click.option(
    "--grace",
    default=DEFAULT_GRACE_SECONDS,
    show_default=True,
    type=click.IntRange(0, 86400),
    help="Only compensate work idle for at least this many seconds.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def recover(grace: int, as_json: bool) -> None:
    """Finish or compensate payments, refunds and settlements a crash left half-way."""

    async def work(container: AsyncContainer) -> RecoveryReport:
        return await (await container.get(RecoveryService)).run(grace_seconds=grace)

    report = _run(work)
    if as_json:
        print_json([{"object": o, "found": f, "done": d} for o, f, d in report.actions])
        return
    if not report.actions:
        console.print("nothing to recover")
        return
    table = Table(title="recovery")
    for column in ("object", "found", "done"):
        table.add_column(column)
    for row in report.actions:
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(report.actions)} action(s)")


@click.command("verify-ledger")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def verify_ledger(as_json: bool) -> None:
    """Check every ledger invariant; exit 1 with a report when one fails."""

    async def work(container: AsyncContainer) -> list[Violation]:
        return await (await container.get(LedgerVerifier)).verify()

    violations = _run(work)
    if as_json:
        print_json(
            {
                "ok": not violations,
                "violations": [
                    {"invariant": v.invariant, "subject": v.subject, "detail": v.detail}
                    for v in violations
                ],
            }
        )
    elif not violations:
        console.print("[green]ledger ok[/]: every invariant holds")
    else:
        table = Table(title=f"{len(violations)} invariant violation(s)")
        for column in ("invariant", "subject", "detail"):
            table.add_column(column, overflow="fold")
        for v in violations:
            table.add_row(v.invariant, v.subject, v.detail)
        console.print(table)
    if violations:
        raise SystemExit(EXIT_FAILED)


@click.command("purge-idempotency-keys")
def purge_idempotency_keys() -> None:
    """Delete idempotency keys older than FINTECH_IDEMPOTENCY_TTL."""

    async def work(container: AsyncContainer) -> int:
        return await (await container.get(IdempotencyService)).purge()

    removed = _run(work)
    console.print(f"{removed} idempotency key(s) purged")
