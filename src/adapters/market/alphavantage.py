"""Alpha Vantage: GLOBAL_QUOTE, TIME_SERIES_DAILY and SYMBOL_SEARCH over ``GET /query``.

Every value arrives as a string and is decoded by msgspec into Structs of ``str`` fields, then
into ``Decimal``: no float ever holds a price. Rate limits and errors come back with HTTP 200
and a body holding ``Note`` or ``Information`` (rate limit, premium-only call) or
``Error Message`` (unknown symbol or invalid call): they are checked before any parsing.

The API key travels as the ``apikey`` query parameter, which Alpha Vantage requires; it is
added by a transport wrapper underneath httpx's client, so the URL the client logs never
holds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import httpx
import msgspec
import structlog

from core.domain.market import (
    Bar,
    MarketProviderFailed,
    ProviderRateLimited,
    Quote,
    SymbolMatch,
    UnknownSymbol,
)

__all__ = ["AlphaVantageMarketData", "currency_for"]

log = structlog.get_logger("fintech.market.alphavantage")

RATE_LIMIT_RETRY_AFTER = 60
S = TypeVar("S", bound=msgspec.Struct)
# Exchange suffixes Alpha Vantage uses, and the currency their prices are quoted in.
_SUFFIX_CURRENCY = {
    "LON": "GBX",
    "TRT": "CAD",
    "TRV": "CAD",
    "DEX": "EUR",
    "FRK": "EUR",
    "PAR": "EUR",
    "AMS": "EUR",
    "BSE": "INR",
    "NSE": "INR",
    "SHH": "CNY",
    "SHZ": "CNY",
    "HKG": "HKD",
    "TYO": "JPY",
    "SAO": "BRL",
}


def currency_for(symbol: str) -> str:
    """GLOBAL_QUOTE carries no currency: infer it from the exchange suffix (default USD)."""
    _, dot, suffix = symbol.rpartition(".")
    return _SUFFIX_CURRENCY.get(suffix, "USD") if dot else "USD"


class _Envelope(msgspec.Struct):
    note: str | None = msgspec.field(name="Note", default=None)
    information: str | None = msgspec.field(name="Information", default=None)
    error: str | None = msgspec.field(name="Error Message", default=None)


class _GlobalQuote(msgspec.Struct):
    symbol: str | None = msgspec.field(name="01. symbol", default=None)
    open: str | None = msgspec.field(name="02. open", default=None)
    high: str | None = msgspec.field(name="03. high", default=None)
    low: str | None = msgspec.field(name="04. low", default=None)
    price: str | None = msgspec.field(name="05. price", default=None)
    volume: str | None = msgspec.field(name="06. volume", default=None)
    day: str | None = msgspec.field(name="07. latest trading day", default=None)
    previous_close: str | None = msgspec.field(name="08. previous close", default=None)
    change: str | None = msgspec.field(name="09. change", default=None)
    change_percent: str | None = msgspec.field(name="10. change percent", default=None)


class _QuoteBody(msgspec.Struct):
    quote: _GlobalQuote | None = msgspec.field(name="Global Quote", default=None)


class _DailyBar(msgspec.Struct):
    open: str = msgspec.field(name="1. open")
    high: str = msgspec.field(name="2. high")
    low: str = msgspec.field(name="3. low")
    close: str = msgspec.field(name="4. close")
    volume: str = msgspec.field(name="5. volume")


class _SeriesBody(msgspec.Struct):
    series: dict[str, _DailyBar] | None = msgspec.field(name="Time Series (Daily)", default=None)


class _Match(msgspec.Struct):
    symbol: str = msgspec.field(name="1. symbol")
    name: str = msgspec.field(name="2. name")
    type: str = msgspec.field(name="3. type")
    region: str = msgspec.field(name="4. region")
    currency: str = msgspec.field(name="8. currency")


class _SearchBody(msgspec.Struct):
    matches: list[_Match] | None = msgspec.field(name="bestMatches", default=None)


class _KeyedTransport(httpx.AsyncBaseTransport):
    """Adds ``apikey`` to each outgoing request below the client (and its request log)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, api_key: str) -> None:
        self._inner = inner
        self._key = api_key

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        keyed = httpx.Request(
            request.method,
            request.url.copy_merge_params({"apikey": self._key}),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(keyed)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _decimal(value: str | None) -> Decimal:
    if value is None:
        raise MarketProviderFailed("The market data provider sent an incomplete quote")
    try:
        number = Decimal(value.strip().rstrip("%"))
    except InvalidOperation:
        raise MarketProviderFailed("The market data provider sent an invalid number") from None
    if not number.is_finite():
        raise MarketProviderFailed("The market data provider sent an invalid number")
    return number


def _int(value: str | None) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise MarketProviderFailed("The market data provider sent an invalid volume")
    return int(number)


def _date(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise MarketProviderFailed("The market data provider sent an invalid date") from None


class AlphaVantageMarketData:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        inner = transport or httpx.AsyncHTTPTransport(retries=1)
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=_KeyedTransport(inner, api_key),
            timeout=httpx.Timeout(timeout, connect=5.0),
            headers={"Accept": "application/json", "User-Agent": "fintech/market"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _query(self, params: Mapping[str, str], symbol: str | None = None) -> bytes:
        try:
            response = await self._client.get("/query", params=dict(params))
        except httpx.HTTPError as exc:
            log.warning("alphavantage_unreachable", error_type=type(exc).__name__)
            raise MarketProviderFailed("The market data provider is unreachable") from None
        if response.status_code == 429:
            raise ProviderRateLimited(
                "The market data provider is rate limiting us; retry later",
                retry_after=RATE_LIMIT_RETRY_AFTER,
            )
        if response.status_code != 200:
            log.warning("alphavantage_http_error", status=response.status_code)
            raise MarketProviderFailed("The market data provider failed")
        body = response.content
        try:
            envelope = msgspec.json.decode(body, type=_Envelope)
        except msgspec.DecodeError:
            raise MarketProviderFailed("The market data provider sent an invalid body") from None
        if envelope.note is not None or envelope.information is not None:
            log.warning("alphavantage_rate_limited", function=params.get("function"))
            raise ProviderRateLimited(
                "The market data provider is rate limiting us; retry later",
                retry_after=RATE_LIMIT_RETRY_AFTER,
            )
        if envelope.error is not None:
            raise UnknownSymbol(f"Unknown symbol {symbol}" if symbol else "Not found")
        return body

    @staticmethod
    def _decode(body: bytes, type_: type[S]) -> S:
        try:
            return msgspec.json.decode(body, type=type_)
        except msgspec.ValidationError:
            raise MarketProviderFailed("The market data provider sent an invalid body") from None

    async def quote(self, symbol: str) -> Quote:
        body = await self._query({"function": "GLOBAL_QUOTE", "symbol": symbol}, symbol)
        parsed = self._decode(body, _QuoteBody)
        raw = parsed.quote
        if raw is None or raw.price is None:  # unknown symbols answer {"Global Quote": {}}
            raise UnknownSymbol(f"Unknown symbol {symbol}")
        return Quote(
            symbol=(raw.symbol or symbol).upper(),
            price=_decimal(raw.price),
            open=_decimal(raw.open),
            high=_decimal(raw.high),
            low=_decimal(raw.low),
            previous_close=_decimal(raw.previous_close),
            change=_decimal(raw.change),
            change_percent=_decimal(raw.change_percent),
            volume=_int(raw.volume),
            currency=currency_for(symbol),
            as_of=_date(raw.day),
        )

    async def daily_history(self, symbol: str, *, full: bool) -> tuple[Bar, ...]:
        params = {
            "function": "TIME_SERIES_DAILY",
            "symbol": symbol,
            "outputsize": "full" if full else "compact",
        }
        parsed = self._decode(await self._query(params, symbol), _SeriesBody)
        if parsed.series is None:
            raise UnknownSymbol(f"Unknown symbol {symbol}")
        bars = [
            Bar(
                date=_date(day),
                open=_decimal(b.open),
                high=_decimal(b.high),
                low=_decimal(b.low),
                close=_decimal(b.close),
                volume=_int(b.volume),
            )
            for day, b in parsed.series.items()
        ]
        bars.sort(key=lambda b: b.date)
        return tuple(bars)

    async def search(self, query: str) -> tuple[SymbolMatch, ...]:
        body = await self._query({"function": "SYMBOL_SEARCH", "keywords": query})
        parsed = self._decode(body, _SearchBody)
        return tuple(
            SymbolMatch(
                symbol=m.symbol, name=m.name, type=m.type, region=m.region, currency=m.currency
            )
            for m in parsed.matches or ()
        )
