"""One suite for the MarketData port, run against the demo provider and Alpha Vantage
(the real adapter talking HTTP to a loopback server that serves recorded payloads)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.market.alphavantage import AlphaVantageMarketData
from adapters.market.demo import DemoMarketData
from core.domain.market import UnknownSymbol
from ports.market_data import MarketData
from tests.alphavantage_stub import serve_alphavantage
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["demo", "alphavantage"])
async def market(request: pytest.FixtureRequest) -> AsyncIterator[MarketData]:
    if request.param == "demo":
        yield DemoMarketData(FakeClock())
        return
    shared: Path = request.getfixturevalue("shared_dir")
    with serve_alphavantage(shared) as (url, _):
        adapter = AlphaVantageMarketData(api_key="contract-key", base_url=url)
        try:
            yield adapter
        finally:
            await adapter.aclose()


async def test_a_known_symbol_has_a_consistent_quote(market: MarketData) -> None:
    quote = await market.quote("MSFT")
    assert quote.symbol == "MSFT"
    assert quote.currency == "USD"
    for price in (quote.price, quote.open, quote.high, quote.low, quote.previous_close):
        assert isinstance(price, Decimal)
        assert price > 0
    assert quote.low <= quote.price <= quote.high
    assert quote.price - quote.previous_close == quote.change
    assert quote.volume > 0


async def test_an_unknown_symbol_is_unknown(market: MarketData) -> None:
    with pytest.raises(UnknownSymbol):
        await market.quote("NOPE")
    with pytest.raises(UnknownSymbol):
        await market.daily_history("NOPE", full=False)


async def test_daily_history_is_oldest_first_with_sane_bars(market: MarketData) -> None:
    bars = await market.daily_history("MSFT", full=True)
    assert bars
    assert [b.date for b in bars] == sorted({b.date for b in bars})
    for bar in bars:
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high


async def test_search_finds_symbols_by_name(market: MarketData) -> None:
    matches = await market.search("Bank of America")
    assert any(m.symbol == "BAC" and m.currency == "USD" for m in matches)
