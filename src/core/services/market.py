"""Market data use cases: cached quotes, batch quotes, daily history and symbol search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import attrs

from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import Principal
from core.domain.market import (
    Bar,
    Quote,
    SymbolMatch,
    UnknownSymbol,
    normalise_symbol,
)
from ports.cache import Cache
from ports.clock import Clock
from ports.market_data import MarketData
from ports.tasks import TaskRunner

__all__ = ["MarketPolicy", "MarketService"]

# Alpha Vantage's compact series holds the last 100 trading days: about 140 calendar days.
_COMPACT_DAYS = 140
_MAX_QUERY = 64


@attrs.frozen
class MarketPolicy:
    quote_ttl: float = 60.0
    history_ttl: float = 3600.0
    search_ttl: float = 3600.0
    batch_concurrency: int = 8
    default_history_days: int = 365


class MarketService:
    """Every read goes through the cache; concurrent misses make one provider call."""

    def __init__(
        self,
        provider: MarketData,
        cache: Cache,
        tasks: TaskRunner,
        clock: Clock,
        policy: MarketPolicy,
    ) -> None:
        self._provider = provider
        self._cache = cache
        self._tasks = tasks
        self._clock = clock
        self._policy = policy

    async def quote(self, principal: Principal, symbol: str) -> Quote:
        return await self._quote(normalise_symbol(symbol))

    async def _quote(self, symbol: str) -> Quote:
        return await self._cache.get_or_load(
            f"quote:{symbol}", self._policy.quote_ttl, lambda: self._provider.quote(symbol)
        )

    async def quotes(self, principal: Principal, symbols: Sequence[str]) -> list[Quote]:
        """Quotes for already-normalised symbols, fetched concurrently with a bound.

        Any unknown symbol makes the whole answer a 404 naming every unknown one; any other
        failure (rate limit, provider error) is raised as is.
        """
        outcomes = await self._tasks.map_bounded(
            self._quote, list(symbols), self._policy.batch_concurrency
        )
        unknown = [
            s for s, o in zip(symbols, outcomes, strict=True) if isinstance(o, UnknownSymbol)
        ]
        for outcome in outcomes:
            if isinstance(outcome, Exception) and not isinstance(outcome, UnknownSymbol):
                raise outcome
        if unknown:
            raise UnknownSymbol(f"Unknown symbols: {', '.join(unknown)}")
        return [o for o in outcomes if isinstance(o, Quote)]

    async def history(
        self, principal: Principal, symbol: str, start: date | None, end: date | None
    ) -> tuple[str, tuple[Bar, ...]]:
        """Daily bars with ``start <= date <= end`` (default: the year up to today)."""
        normalised = normalise_symbol(symbol)
        today = self._clock.now().date()
        end = end or today
        start = start or end - timedelta(days=self._policy.default_history_days)
        if start > end:
            message = "start must not be after end"
            raise ValidationFailed(message, errors=[FieldError("start", message)])
        full = start < today - timedelta(days=_COMPACT_DAYS)
        size = "full" if full else "compact"
        bars = await self._cache.get_or_load(
            f"history:{normalised}:{size}",
            self._policy.history_ttl,
            lambda: self._provider.daily_history(normalised, full=full),
        )
        return normalised, tuple(b for b in bars if start <= b.date <= end)

    async def search(self, principal: Principal, query: str) -> tuple[SymbolMatch, ...]:
        text = " ".join(query.split())
        if not 1 <= len(text) <= _MAX_QUERY:
            message = f"q must hold 1 to {_MAX_QUERY} characters"
            raise ValidationFailed(message, errors=[FieldError("q", message)])
        return await self._cache.get_or_load(
            f"search:{text.casefold()}",
            self._policy.search_ttl,
            lambda: self._provider.search(text),
        )
