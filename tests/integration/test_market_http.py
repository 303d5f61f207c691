"""``/v1/market`` over HTTP: demo provider, cache and single flight, Alpha Vantage on loopback."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from litestar.testing import AsyncTestClient

from adapters.market.demo import DemoMarketData
from core.domain.market import Bar, Quote, SymbolMatch
from entrypoints.http.app import create_app
from ports.market_data import MarketData
from tests.alphavantage_stub import serve_alphavantage
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider, override

pytestmark = pytest.mark.anyio

QUOTE_KEYS = {
    "symbol",
    "price",
    "open",
    "high",
    "low",
    "previous_close",
    "change",
    "change_percent",
    "volume",
    "currency",
    "as_of",
}


@pytest.fixture
def headers(settings):
    return auth_headers(settings)


async def test_market_endpoints_require_a_token(client) -> None:
    for path in ("/v1/market/quotes/AAPL", "/v1/market/search?q=a", "/v1/market/history/AAPL"):
        response = await client.get(path)
        assert response.status_code == 401


async def test_a_quote_has_every_field_with_prices_as_decimal_strings(client, headers) -> None:
    response = await client.get("/v1/market/quotes/aapl", headers=headers)
    assert response.status_code == 200
    quote = response.json()
    assert set(quote) == QUOTE_KEYS
    assert quote["symbol"] == "AAPL"
    for key in ("price", "open", "high", "low", "previous_close", "change", "change_percent"):
        assert isinstance(quote[key], str)
        float(quote[key])
    assert isinstance(quote["volume"], int)
    assert quote["currency"] == "USD"
    assert quote["as_of"] == "2026-01-30"


async def test_batch_quotes_keep_order_and_drop_duplicates(client, headers) -> None:
    response = await client.get("/v1/market/quotes?symbols=MSFT, aapl,MSFT,V", headers=headers)
    assert response.status_code == 200
    assert [q["symbol"] for q in response.json()["items"]] == ["MSFT", "AAPL", "V"]


async def test_more_than_fifty_symbols_is_400(client, headers) -> None:
    symbols = ",".join(f"S{i}" for i in range(51))
    response = await client.get(f"/v1/market/quotes?symbols={symbols}", headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    "path",
    ["/v1/market/quotes?symbols=", "/v1/market/quotes", "/v1/market/quotes/BAD$SYM"],
)
async def test_missing_or_malformed_symbols_are_400(client, headers, path) -> None:
    response = await client.get(path, headers=headers)
    assert response.status_code == 400


async def test_unknown_symbols_are_404_alone_and_in_a_batch(client, headers) -> None:
    single = await client.get("/v1/market/quotes/ZZZZ", headers=headers)
    assert single.status_code == 404
    assert single.json()["code"] == "not_found"
    batch = await client.get("/v1/market/quotes?symbols=AAPL,ZZZZ,QQQQ", headers=headers)
    assert batch.status_code == 404
    assert "ZZZZ" in batch.json()["detail"]
    assert "QQQQ" in batch.json()["detail"]
    history = await client.get("/v1/market/history/ZZZZ", headers=headers)
    assert history.status_code == 404


async def test_history_returns_the_bars_in_the_range(client, headers) -> None:
    response = await client.get(
        "/v1/market/history/MSFT?start=2026-01-05&end=2026-01-09", headers=headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["symbol"] == "MSFT"
    assert [b["date"] for b in body["bars"]] == [f"2026-01-0{d}" for d in range(5, 10)]
    assert set(body["bars"][0]) == {"date", "open", "high", "low", "close", "volume"}


async def test_history_reaches_back_five_years_and_defaults_to_one(client, headers) -> None:
    full = await client.get("/v1/market/history/AAPL?start=2020-01-01", headers=headers)
    assert full.json()["bars"][0]["date"] == "2021-01-28"
    default = await client.get("/v1/market/history/AAPL", headers=headers)
    bars = default.json()["bars"]
    assert bars[0]["date"] >= "2025-01-31"
    assert bars[-1]["date"] == "2026-01-30"


async def test_history_with_start_after_end_is_400(client, headers) -> None:
    response = await client.get(
        "/v1/market/history/AAPL?start=2026-01-10&end=2026-01-01", headers=headers
    )
    assert response.status_code == 400
    bad = await client.get("/v1/market/history/AAPL?start=yesterday", headers=headers)
    assert bad.status_code == 400


async def test_search_finds_by_name_and_needs_a_query(client, headers) -> None:
    response = await client.get("/v1/market/search?q=micro", headers=headers)
    assert response.status_code == 200
    assert response.json()["items"][0] == {
        "symbol": "MSFT",
        "name": "Microsoft Corporation",
        "type": "Equity",
        "region": "United States",
        "currency": "USD",
    }
    assert (await client.get("/v1/market/search?q=", headers=headers)).status_code == 400
    assert (await client.get("/v1/market/search", headers=headers)).status_code == 400


class CountingMarket:
    """The demo provider, counting calls and slow enough for requests to overlap."""

    def __init__(self, clock: FakeClock) -> None:
        self.inner = DemoMarketData(clock)
        self.calls: dict[str, int] = {}
        self.in_flight = self.peak = 0

    async def _count(self, key: str) -> None:
        self.calls[key] = self.calls.get(key, 0) + 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await anyio.sleep(0.01)
        self.in_flight -= 1

    async def quote(self, symbol: str) -> Quote:
        await self._count(f"quote:{symbol}")
        return await self.inner.quote(symbol)

    async def daily_history(self, symbol: str, *, full: bool) -> tuple[Bar, ...]:
        await self._count(f"history:{symbol}")
        return await self.inner.daily_history(symbol, full=full)

    async def search(self, query: str) -> tuple[SymbolMatch, ...]:
        await self._count(f"search:{query}")
        return await self.inner.search(query)


async def test_responses_are_cached_per_ttl_and_concurrent_misses_share_a_call(
    settings,
) -> None:
    system = FakeSystemProvider()
    market = CountingMarket(system.fake_clock)
    app = create_app(settings, system, override(MarketData, market))
    headers = auth_headers(settings)
    async with AsyncTestClient(app=app) as client:

        async def get(path: str) -> None:
            assert (await client.get(path, headers=headers)).status_code == 200

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(get, "/v1/market/quotes/AAPL")
        assert market.calls["quote:AAPL"] == 1
        await get("/v1/market/history/AAPL")
        await get("/v1/market/history/AAPL?start=2025-06-01")
        assert market.calls["history:AAPL"] == 1
        system.fake_clock.advance(61)  # quotes live 60 s, history an hour
        await get("/v1/market/quotes/AAPL")
        await get("/v1/market/history/AAPL")
        assert market.calls == {"quote:AAPL": 2, "history:AAPL": 1}


async def test_batch_quotes_are_fetched_concurrently_within_the_bound(settings) -> None:
    system = FakeSystemProvider()
    market = CountingMarket(system.fake_clock)
    app = create_app(settings, system, override(MarketData, market))
    symbols = ",".join(
        ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA", "JPM", "V", "MA", "KO", "PG"]
    )
    async with AsyncTestClient(app=app) as client:
        response = await client.get(
            f"/v1/market/quotes?symbols={symbols}", headers=auth_headers(settings)
        )
    assert response.status_code == 200
    assert len(response.json()["items"]) == 12
    assert 1 < market.peak <= 8


@pytest.fixture
def alphavantage(shared_dir: Path, sql_url: str):
    with serve_alphavantage(shared_dir) as (url, stub):
        settings = make_settings(
            sql_url, ALPHAVANTAGE_API_KEY="test-av-key", ALPHAVANTAGE_BASE_URL=url
        )
        yield settings, stub


async def test_alphavantage_payloads_flow_through_the_api(alphavantage) -> None:
    settings, stub = alphavantage
    assert settings.resolved_market_provider == "alphavantage"
    app = create_app(settings, FakeSystemProvider())
    headers = auth_headers(settings)
    async with AsyncTestClient(app=app) as client:
        quote = await client.get("/v1/market/quotes/MSFT", headers=headers)
        search = await client.get("/v1/market/search?q=BA", headers=headers)
        history = await client.get(
            "/v1/market/history/MSFT?start=2026-01-29&end=2026-01-30", headers=headers
        )
        unknown = await client.get("/v1/market/quotes/IBM", headers=headers)
        limited = await client.get("/v1/market/quotes/LIMIT", headers=headers)
        premium = await client.get("/v1/market/history/PREMIUM", headers=headers)
        broken = await client.get("/v1/market/quotes/BROKEN", headers=headers)
    assert quote.status_code == 200
    assert quote.json() == {
        "symbol": "MSFT",
        "price": "112.1300",
        "open": "112.6300",
        "high": "113.1700",
        "low": "110.6400",
        "previous_close": "112.7900",
        "change": "-0.6600",
        "change_percent": "-0.5852",
        "volume": 29062853,
        "currency": "USD",
        "as_of": "2018-10-05",
    }
    assert [m["symbol"] for m in search.json()["items"]][:3] == ["BA", "BABA", "BSVN"]
    assert [b["close"] for b in history.json()["bars"]] == ["410.0500", "414.2300"]
    assert unknown.status_code == 404
    for answer in (limited, premium):
        assert answer.status_code == 503
        assert answer.json()["code"] == "provider_rate_limited"
        assert answer.headers["retry-after"] == "60"
        assert "Thank you" not in answer.text  # no provider payload in error bodies
    assert broken.status_code == 502
    assert broken.json()["code"] == "provider_error"
    assert all(r["apikey"] == "test-av-key" for r in stub.requests)
    history_calls = [r for r in stub.requests if r["function"] == "TIME_SERIES_DAILY"]
    assert history_calls[0]["outputsize"] == "compact"


async def test_the_openapi_document_shows_auth_and_errors_for_these_routes(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    areas = ("/v1/market", "/v1/calc", "/v1/budgets", "/v1/goals", "/v1/net-worth")
    operations = [
        op for path, ops in doc["paths"].items() if path.startswith(areas) for op in ops.values()
    ]
    assert len(operations) == 24
    for op in operations:
        assert op["security"] == [{"BearerToken": []}]
        assert "401" in op["responses"]
        assert "400" in op["responses"]
