"""``/v1/market``: quotes, batch quotes, daily history and symbol search (cached)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get
from litestar.params import FromPath, FromQuery, QueryParameter

from core.domain.identity import Principal
from core.domain.market import normalise_symbols
from core.services.market import MarketService
from entrypoints.http.bearer_guard import require_principal
from entrypoints.http.dto.market import (
    BarOut,
    HistoryOut,
    QuoteListOut,
    QuoteOut,
    SymbolMatchListOut,
    SymbolMatchOut,
)
from entrypoints.http.errors import problem_responses

__all__ = ["MarketController"]

_PROVIDER_ERRORS = (502, 503)


class MarketController(Controller):
    path = "/v1/market"
    tags = ["market data"]
    security = [{"BearerToken": []}]  # every /v1 route needs the access token
    guards = [require_principal]  # 401 before the body or query is even parsed

    @get(
        "/quotes/{symbol:str}",
        summary="The latest quote of one symbol",
        responses=problem_responses(400, 401, 404, *_PROVIDER_ERRORS),
    )
    async def quote(
        self,
        symbol: FromPath[str],
        principal: FromDishka[Principal],
        market: FromDishka[MarketService],
    ) -> QuoteOut:
        return QuoteOut.of(await market.quote(principal, symbol))

    @get(
        "/quotes",
        summary="Quotes of up to 50 comma-separated symbols, fetched concurrently",
        responses=problem_responses(400, 401, 404, *_PROVIDER_ERRORS),
    )
    async def quotes(
        self,
        principal: FromDishka[Principal],
        market: FromDishka[MarketService],
        symbols: Annotated[str, QueryParameter(max_length=1100)],
    ) -> QuoteListOut:
        found = await market.quotes(principal, normalise_symbols(symbols))
        return QuoteListOut(items=[QuoteOut.of(q) for q in found])

    @get(
        "/history/{symbol:str}",
        summary="Daily bars between start and end (default: the last year)",
        responses=problem_responses(400, 401, 404, *_PROVIDER_ERRORS),
    )
    async def history(
        self,
        symbol: FromPath[str],
        principal: FromDishka[Principal],
        market: FromDishka[MarketService],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> HistoryOut:
        normalised, bars = await market.history(principal, symbol, start, end)
        return HistoryOut(symbol=normalised, bars=[BarOut.of(b) for b in bars])

    @get(
        "/search",
        summary="Symbols matching a ticker or company name",
        responses=problem_responses(400, 401, *_PROVIDER_ERRORS),
    )
    async def search(
        self,
        principal: FromDishka[Principal],
        market: FromDishka[MarketService],
        q: Annotated[str, QueryParameter(max_length=200)],
    ) -> SymbolMatchListOut:
        matches = await market.search(principal, q)
        return SymbolMatchListOut(items=[SymbolMatchOut.of(m) for m in matches])
