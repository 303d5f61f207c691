"""The demo market provider: the promised tickers, deterministic prices, five years of bars."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.market.demo import DEMO_TICKERS, DemoMarketData
from core.domain.market import UnknownSymbol
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio

PROMISED = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA", "JPM", "V"]


def test_at_least_twenty_large_us_tickers_including_the_promised_ones() -> None:
    assert len(DEMO_TICKERS) >= 20
    assert set(PROMISED) <= set(DEMO_TICKERS)


async def test_prices_depend_only_on_symbol_and_date() -> None:
    early = DemoMarketData(FakeClock(datetime(2026, 1, 31, tzinfo=UTC)))
    later = DemoMarketData(FakeClock(datetime(2026, 6, 30, tzinfo=UTC)))
    a = {b.date: b for b in await early.daily_history("AAPL", full=True)}
    b = {b.date: b for b in await later.daily_history("AAPL", full=True)}
    shared = sorted(set(a) & set(b))
    assert len(shared) > 1000
    assert all(a[d] == b[d] for d in shared)
    again = DemoMarketData(FakeClock(datetime(2026, 1, 31, tzinfo=UTC)))
    assert await again.quote("NVDA") == await early.quote("NVDA")


async def test_five_years_of_weekday_bars_up_to_today() -> None:
    demo = DemoMarketData(FakeClock(datetime(2026, 1, 31, 12, tzinfo=UTC)))  # a Saturday
    bars = await demo.daily_history("MSFT", full=True)
    assert bars[0].date == date(2021, 1, 28)
    assert bars[-1].date == date(2026, 1, 30)
    assert all(b.date.weekday() < 5 for b in bars)
    assert len(bars) >= 5 * 260
    assert len(await demo.daily_history("MSFT", full=False)) == 100
    quote = await demo.quote("MSFT")
    assert quote.as_of == date(2026, 1, 30)
    assert quote.price == bars[-1].close
    assert quote.previous_close == bars[-2].close


async def test_other_symbols_are_unknown_and_search_ranks_tickers_first() -> None:
    demo = DemoMarketData(FakeClock())
    with pytest.raises(UnknownSymbol):
        await demo.quote("ZZZZ")
    matches = await demo.search("ma")
    assert matches[0].symbol == "MA"
    assert {"AMZN", "WMT"} <= {m.symbol for m in matches}  # Amazon, Walmart
    assert await demo.search("no such company") == ()
