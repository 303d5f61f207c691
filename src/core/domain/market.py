"""Market data values: quotes, daily bars, symbol matches; symbol rules and errors."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import attrs

from core.domain.errors import (
    FieldError,
    NotFound,
    ProviderError,
    ServiceUnavailable,
    ValidationFailed,
)

__all__ = [
    "MAX_BATCH_SYMBOLS",
    "Bar",
    "MarketProviderFailed",
    "ProviderRateLimited",
    "Quote",
    "SymbolMatch",
    "UnknownSymbol",
    "normalise_symbol",
    "normalise_symbols",
]

MAX_BATCH_SYMBOLS = 50
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.\-=^:]{0,19}$")


class UnknownSymbol(NotFound):
    code = "not_found"
    title = "Unknown symbol"


class ProviderRateLimited(ServiceUnavailable):
    """The market data provider asked us to slow down (503 with Retry-After)."""

    code = "provider_rate_limited"
    title = "Market data provider rate limit"

    def __init__(self, detail: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(detail, retry_after=retry_after)


class MarketProviderFailed(ProviderError):
    code = "provider_error"
    title = "Market data provider error"


@attrs.frozen
class Quote:
    """The latest quote; ``change_percent`` is in percent (``-0.5852`` means -0.5852 %)."""

    symbol: str
    price: Decimal
    open: Decimal
    high: Decimal
    low: Decimal
    previous_close: Decimal
    change: Decimal
    change_percent: Decimal
    volume: int
    currency: str
    as_of: date


@attrs.frozen
class Bar:
    date: date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int


@attrs.frozen
class SymbolMatch:
    symbol: str
    name: str
    type: str
    region: str
    currency: str


def normalise_symbol(raw: str, field: str = "symbol") -> str:
    """Upper-case ticker such as ``AAPL``, ``BRK.B`` or ``6190.HKG``; 400 otherwise."""
    symbol = raw.strip().upper()
    if not _SYMBOL.match(symbol):
        message = "must be a ticker symbol: 1-20 letters, digits, '.', '-', '=', '^' or ':'"
        raise ValidationFailed(message, errors=[FieldError(field, message)])
    return symbol


def normalise_symbols(raw: str) -> list[str]:
    """A comma-separated list of symbols: normalised, duplicates dropped, order kept."""
    parts = [p for p in (s.strip() for s in raw.split(",")) if p]
    if not parts:
        message = "give at least one symbol, comma-separated"
        raise ValidationFailed(message, errors=[FieldError("symbols", message)])
    symbols = list(dict.fromkeys(normalise_symbol(p, "symbols") for p in parts))
    if len(symbols) > MAX_BATCH_SYMBOLS:
        message = f"at most {MAX_BATCH_SYMBOLS} symbols per request"
        raise ValidationFailed(message, errors=[FieldError("symbols", message)])
    return symbols
