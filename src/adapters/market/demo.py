"""The demo market provider: large US tickers with deterministic prices, 5 years of bars.

Each day's bar is a pure function of (symbol, date): a drift, two slow cycles and hashed
daily noise, so the same date always shows the same prices whatever the day the service
runs. Bars cover weekdays (no holiday calendar) from five years before today to today.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, timedelta
from decimal import Decimal

from core.domain.market import Bar, Quote, SymbolMatch, UnknownSymbol
from ports.clock import Clock

__all__ = ["DEMO_TICKERS", "DemoMarketData"]

# symbol: (name, price around 2026, average daily volume)
DEMO_TICKERS: dict[str, tuple[str, float, int]] = {
    "AAPL": ("Apple Inc.", 190.0, 55_000_000),
    "MSFT": ("Microsoft Corporation", 410.0, 22_000_000),
    "GOOGL": ("Alphabet Inc. Class A", 165.0, 25_000_000),
    "AMZN": ("Amazon.com Inc.", 180.0, 40_000_000),
    "NVDA": ("NVIDIA Corporation", 120.0, 300_000_000),
    "META": ("Meta Platforms Inc.", 480.0, 15_000_000),
    "TSLA": ("Tesla Inc.", 220.0, 90_000_000),
    "JPM": ("JPMorgan Chase & Co.", 200.0, 9_000_000),
    "V": ("Visa Inc.", 270.0, 6_000_000),
    "MA": ("Mastercard Incorporated", 450.0, 3_000_000),
    "UNH": ("UnitedHealth Group Incorporated", 520.0, 3_500_000),
    "JNJ": ("Johnson & Johnson", 155.0, 7_000_000),
    "WMT": ("Walmart Inc.", 65.0, 18_000_000),
    "PG": ("The Procter & Gamble Company", 165.0, 6_500_000),
    "XOM": ("Exxon Mobil Corporation", 115.0, 16_000_000),
    "HD": ("The Home Depot Inc.", 360.0, 3_500_000),
    "KO": ("The Coca-Cola Company", 62.0, 13_000_000),
    "PEP": ("PepsiCo Inc.", 170.0, 5_500_000),
    "BAC": ("Bank of America Corporation", 38.0, 35_000_000),
    "DIS": ("The Walt Disney Company", 100.0, 9_000_000),
    "NFLX": ("Netflix Inc.", 650.0, 3_500_000),
    "ADBE": ("Adobe Inc.", 520.0, 3_000_000),
    "CSCO": ("Cisco Systems Inc.", 50.0, 17_000_000),
    "INTC": ("Intel Corporation", 30.0, 45_000_000),
    "ORCL": ("Oracle Corporation", 140.0, 8_000_000),
    "BRK.B": ("Berkshire Hathaway Inc. Class B", 420.0, 3_800_000),
}

_ANCHOR = date(2026, 1, 1)
_YEARS = 5
_COMPACT = 100
_FOUR_PLACES = Decimal("0.0001")


def _unit(*parts: str) -> float:
    """A deterministic number in [-1, 1) from the parts (SHA-256, not Python's hash)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1.0


def _price(x: float) -> Decimal:
    return Decimal(f"{x:.4f}")


class DemoMarketData:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._series: dict[tuple[str, date], tuple[Bar, ...]] = {}

    def _bar(self, symbol: str, day: date) -> Bar:
        _, base, volume = DEMO_TICKERS[symbol]
        t = (day - _ANCHOR).days / 365.25
        drift = 0.04 + 0.10 * _unit(symbol, "drift")
        phase1, phase2 = math.pi * _unit(symbol, "p1"), math.pi * _unit(symbol, "p2")
        level = (
            math.log(base)
            + drift * t
            + 0.12 * math.sin(2 * math.pi * t / 2.7 + phase1)
            + 0.05 * math.sin(2 * math.pi * t / 0.45 + phase2)
            + 0.012 * _unit(symbol, day.isoformat(), "close")
        )
        close = math.exp(level)
        open_ = close * (1 + 0.008 * _unit(symbol, day.isoformat(), "open"))
        high = max(open_, close) * (1 + 0.006 * abs(_unit(symbol, day.isoformat(), "high")))
        low = min(open_, close) * (1 - 0.006 * abs(_unit(symbol, day.isoformat(), "low")))
        shares = volume * (1 + 0.4 * _unit(symbol, day.isoformat(), "volume"))
        return Bar(
            date=day,
            open=_price(open_),
            high=_price(high),
            low=_price(low),
            close=_price(close),
            volume=int(shares),
        )

    def _all_bars(self, symbol: str) -> tuple[Bar, ...]:
        if symbol not in DEMO_TICKERS:
            raise UnknownSymbol(f"Unknown symbol {symbol}")
        today = self._clock.now().date()
        key = (symbol, today)
        cached = self._series.get(key)
        if cached is None:
            start = today.replace(year=today.year - _YEARS, day=min(today.day, 28))
            days = (start + timedelta(days=i) for i in range((today - start).days + 1))
            cached = tuple(self._bar(symbol, d) for d in days if d.weekday() < 5)
            self._series = {key: cached, **{k: v for k, v in self._series.items() if k[1] == today}}
        return cached

    async def quote(self, symbol: str) -> Quote:
        bars = self._all_bars(symbol)
        last, previous = bars[-1], bars[-2]
        change = last.close - previous.close
        return Quote(
            symbol=symbol,
            price=last.close,
            open=last.open,
            high=last.high,
            low=last.low,
            previous_close=previous.close,
            change=change,
            change_percent=(change * 100 / previous.close).quantize(_FOUR_PLACES),
            volume=last.volume,
            currency="USD",
            as_of=last.date,
        )

    async def daily_history(self, symbol: str, *, full: bool) -> tuple[Bar, ...]:
        bars = self._all_bars(symbol)
        return bars if full else bars[-_COMPACT:]

    async def search(self, query: str) -> tuple[SymbolMatch, ...]:
        needle = query.strip().casefold()
        ranked: list[tuple[int, str]] = []
        for symbol, (name, _, _) in DEMO_TICKERS.items():
            folded = symbol.casefold()
            if folded == needle:
                ranked.append((0, symbol))
            elif folded.startswith(needle):
                ranked.append((1, symbol))
            elif needle in name.casefold():
                ranked.append((2, symbol))
        ranked.sort()
        return tuple(
            SymbolMatch(
                symbol=s,
                name=DEMO_TICKERS[s][0],
                type="Equity",
                region="United States",
                currency="USD",
            )
            for _, s in ranked[:10]
        )
