"""The Alpha Vantage adapter over httpx.MockTransport: payload mapping, errors, key hygiene."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.market.alphavantage import AlphaVantageMarketData, currency_for
from core.domain.market import MarketProviderFailed, ProviderRateLimited, UnknownSymbol
from tests.alphavantage_stub import DAILY, ERROR, INFORMATION, NOTE

pytestmark = pytest.mark.anyio

KEY = "av-secret-key-123"


def adapter_answering(status: int, body: bytes | dict, seen: list[httpx.Request] | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=raw)

    return AlphaVantageMarketData(
        api_key=KEY, base_url="https://av.test", transport=httpx.MockTransport(handler)
    )


async def test_global_quote_decodes_every_field_to_exact_decimals(shared_dir: Path) -> None:
    seen: list[httpx.Request] = []
    body = (shared_dir / "contracts" / "alphavantage" / "global_quote.json").read_bytes()
    quote = await adapter_answering(200, body, seen).quote("MSFT")
    assert quote.price == Decimal("112.1300")
    assert str(quote.open) == "112.6300"
    assert quote.high == Decimal("113.1700")
    assert quote.low == Decimal("110.6400")
    assert quote.previous_close == Decimal("112.7900")
    assert quote.change == Decimal("-0.6600")
    assert quote.change_percent == Decimal("-0.5852")
    assert quote.volume == 29062853
    assert quote.as_of == date(2018, 10, 5)
    params = seen[0].url.params
    assert params["function"] == "GLOBAL_QUOTE"
    assert params["symbol"] == "MSFT"
    assert params["apikey"] == KEY


async def test_symbol_search_maps_the_best_matches(shared_dir: Path) -> None:
    body = (shared_dir / "contracts" / "alphavantage" / "symbol_search.json").read_bytes()
    matches = await adapter_answering(200, body).search("BA")
    assert len(matches) == 10
    assert matches[0].symbol == "BA"
    assert matches[0].name == "The Boeing Company"
    assert matches[3].currency == "HKD"
    assert matches[3].region == "Hong Kong"


async def test_daily_series_comes_back_oldest_first_and_asks_for_the_right_size() -> None:
    seen: list[httpx.Request] = []
    bars = await adapter_answering(200, DAILY, seen).daily_history("MSFT", full=False)
    assert [b.date.isoformat() for b in bars] == ["2025-06-02", "2026-01-29", "2026-01-30"]
    assert bars[-1].close == Decimal("414.2300")
    assert bars[-1].volume == 20154000
    assert seen[0].url.params["outputsize"] == "compact"
    await adapter_answering(200, DAILY, seen).daily_history("MSFT", full=True)
    assert seen[1].url.params["outputsize"] == "full"


@pytest.mark.parametrize("body", [NOTE, INFORMATION])
async def test_note_and_information_bodies_are_a_rate_limit(body: dict) -> None:
    with pytest.raises(ProviderRateLimited) as info:
        await adapter_answering(200, body).quote("MSFT")
    assert info.value.code == "provider_rate_limited"
    assert info.value.retry_after == 60


async def test_http_429_is_a_rate_limit() -> None:
    with pytest.raises(ProviderRateLimited):
        await adapter_answering(429, b"{}").search("x")


@pytest.mark.parametrize("body", [ERROR, {"Global Quote": {}}])
async def test_error_message_and_an_empty_quote_are_unknown_symbols(body: dict) -> None:
    with pytest.raises(UnknownSymbol):
        await adapter_answering(200, body).quote("ZZZZ")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"<html>down</html>"),
        (200, b"not json"),
        (200, b'{"Global Quote": {"05. price": "abc"}}'),
        (200, b'{"Time Series (Daily)": {"2026-01-01": {"1. open": "1"}}}'),
    ],
)
async def test_broken_answers_are_provider_errors(status: int, body: bytes) -> None:
    adapter = adapter_answering(status, body)
    call = adapter.daily_history("MSFT", full=False) if b"Series" in body else adapter.quote("MSFT")
    with pytest.raises(MarketProviderFailed):
        await call


async def test_an_unreachable_provider_is_a_provider_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    adapter = AlphaVantageMarketData(
        api_key=KEY, base_url="https://av.test", transport=httpx.MockTransport(handler)
    )
    with pytest.raises(MarketProviderFailed) as info:
        await adapter.quote("MSFT")
    assert KEY not in str(info.value)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_the_api_key_never_reaches_the_logs(shared_dir: Path) -> None:
    # Listen on httpx's own logger, whatever logging configuration ran before this test.
    body = (shared_dir / "contracts" / "alphavantage" / "global_quote.json").read_bytes()
    logger, records = logging.getLogger("httpx"), _Records()
    previous = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        await adapter_answering(200, body).quote("MSFT")
        with pytest.raises(ProviderRateLimited):
            await adapter_answering(200, NOTE).quote("MSFT")
    finally:
        logger.removeHandler(records)
        logger.setLevel(previous)
    text = "\n".join(records.lines)
    assert "GLOBAL_QUOTE" in text  # httpx logged the request line...
    assert KEY not in text  # ...without the key


@pytest.mark.parametrize(
    ("symbol", "currency"),
    [("MSFT", "USD"), ("6190.HKG", "HKD"), ("VOD.LON", "GBX"), ("BRK.B", "USD")],
)
def test_quote_currency_follows_the_exchange_suffix(symbol: str, currency: str) -> None:
    assert currency_for(symbol) == currency
