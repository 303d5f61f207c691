"""Wire shapes of ``/v1/market``: prices as decimal strings, dates as ``YYYY-MM-DD``."""

from __future__ import annotations

from datetime import date

import msgspec

from core.domain.market import Bar, Quote, SymbolMatch

__all__ = [
    "BarOut",
    "HistoryOut",
    "QuoteListOut",
    "QuoteOut",
    "SymbolMatchListOut",
    "SymbolMatchOut",
]


class QuoteOut(msgspec.Struct):
    symbol: str
    price: str
    open: str
    high: str
    low: str
    previous_close: str
    change: str
    change_percent: str
    volume: int
    currency: str
    as_of: date

    @classmethod
    def of(cls, q: Quote) -> QuoteOut:
        return cls(
            symbol=q.symbol,
            price=str(q.price),
            open=str(q.open),
            high=str(q.high),
            low=str(q.low),
            previous_close=str(q.previous_close),
            change=str(q.change),
            change_percent=str(q.change_percent),
            volume=q.volume,
            currency=q.currency,
            as_of=q.as_of,
        )


class QuoteListOut(msgspec.Struct):
    items: list[QuoteOut]


class BarOut(msgspec.Struct):
    date: date
    open: str
    high: str
    low: str
    close: str
    volume: int

    @classmethod
    def of(cls, b: Bar) -> BarOut:
        return cls(
            date=b.date,
            open=str(b.open),
            high=str(b.high),
            low=str(b.low),
            close=str(b.close),
            volume=b.volume,
        )


class HistoryOut(msgspec.Struct):
    symbol: str
    bars: list[BarOut]


class SymbolMatchOut(msgspec.Struct):
    symbol: str
    name: str
    type: str
    region: str
    currency: str

    @classmethod
    def of(cls, m: SymbolMatch) -> SymbolMatchOut:
        return cls(symbol=m.symbol, name=m.name, type=m.type, region=m.region, currency=m.currency)


class SymbolMatchListOut(msgspec.Struct):
    items: list[SymbolMatchOut]
