"""Market data providers (Alpha Vantage, the demo provider) behind one port."""

from __future__ import annotations

from typing import Protocol

from core.domain.market import Bar, Quote, SymbolMatch


class MarketData(Protocol):
    """Raises ``UnknownSymbol`` (404), ``ProviderRateLimited`` (503) or
    ``MarketProviderFailed`` (502); never a transport exception."""

    async def quote(self, symbol: str) -> Quote:
        """The latest quote of a normalised symbol."""
        ...

    async def daily_history(self, symbol: str, *, full: bool) -> tuple[Bar, ...]:
        """Daily bars, oldest first: the recent ~100 trading days, or everything with ``full``."""
        ...

    async def search(self, query: str) -> tuple[SymbolMatch, ...]:
        """Symbols whose ticker or name matches ``query``, best first."""
        ...
