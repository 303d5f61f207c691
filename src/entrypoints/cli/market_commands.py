"""``fintech market quote|history|search``: check the configured market data provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import click
from rich.table import Table

from core.domain.errors import DomainError
from core.domain.identity import SYSTEM
from core.domain.market import normalise_symbols
from core.services.market import MarketService
from entrypoints.cli.runtime import (
    EXIT_CONFIG,
    console,
    fail,
    open_container,
    print_json,
    run_async,
    settings_or_exit,
)

__all__ = ["market"]

T = TypeVar("T")


def _with_market(work: Callable[[MarketService], Awaitable[T]]) -> T:
    settings = settings_or_exit()

    async def run() -> T:
        async with open_container(settings) as container:
            return await work(await container.get(MarketService))

    try:
        return run_async(run)
    except DomainError as exc:
        fail(f"{exc.code}: {exc.detail}", EXIT_CONFIG if exc.code == "validation_failed" else 1)


@click.group()
def market() -> None:
    """Market data from the configured provider (Alpha Vantage with a key, else the demo)."""


@market.command()
@click.argument("symbols", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def quote(symbols: tuple[str, ...], as_json: bool) -> None:
    """Latest quotes of up to 50 SYMBOLS."""
    quotes = _with_market(lambda m: m.quotes(SYSTEM, normalise_symbols(",".join(symbols))))
    if as_json:
        print_json(
            [
                {
                    "symbol": q.symbol,
                    "price": str(q.price),
                    "change": str(q.change),
                    "change_percent": str(q.change_percent),
                    "volume": q.volume,
                    "currency": q.currency,
                    "as_of": q.as_of.isoformat(),
                }
                for q in quotes
            ]
        )
        return
    table = Table("symbol", "price", "change", "change %", "volume", "currency", "as of")
    for q in quotes:
        table.add_row(
            q.symbol,
            str(q.price),
            str(q.change),
            str(q.change_percent),
            f"{q.volume:,}",
            q.currency,
            q.as_of.isoformat(),
        )
    console.print(table)


@market.command()
@click.argument("symbol")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="First date (YYYY-MM-DD).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def history(symbol: str, start: datetime | None, end: datetime | None, as_json: bool) -> None:
    """Daily bars of SYMBOL (default: the last year)."""
    first = start.date() if start is not None else None
    last = end.date() if end is not None else None
    name, bars = _with_market(lambda m: m.history(SYSTEM, symbol, first, last))
    if as_json:
        print_json(
            {
                "symbol": name,
                "bars": [
                    {
                        "date": b.date.isoformat(),
                        "open": str(b.open),
                        "high": str(b.high),
                        "low": str(b.low),
                        "close": str(b.close),
                        "volume": b.volume,
                    }
                    for b in bars
                ],
            }
        )
        return
    table = Table("date", "open", "high", "low", "close", "volume", title=name)
    for b in bars:
        table.add_row(
            b.date.isoformat(), str(b.open), str(b.high), str(b.low), str(b.close), f"{b.volume:,}"
        )
    console.print(table)
    console.print(f"{len(bars)} bar(s)")


@market.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def search(query: str, as_json: bool) -> None:
    """Symbols matching QUERY (ticker or company name)."""
    matches = _with_market(lambda m: m.search(SYSTEM, query))
    if as_json:
        print_json(
            [
                {
                    "symbol": m.symbol,
                    "name": m.name,
                    "type": m.type,
                    "region": m.region,
                    "currency": m.currency,
                }
                for m in matches
            ]
        )
        return
    table = Table("symbol", "name", "type", "region", "currency")
    for m in matches:
        table.add_row(m.symbol, m.name, m.type, m.region, m.currency)
    console.print(table)
