"""Filtering, sorting and paging of bank transactions: one pure function over an index.

The index is built once per cached data set: lowercase merchant names, absolute amounts
and the three sort orders are computed there, so a request only walks a pre-sorted list of
positions and compares plain values (no per-request parsing or sorting).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum

import attrs

from core.domain.banking import BankTransaction
from core.domain.errors import FieldError, ValidationFailed

__all__ = [
    "MAX_PAGE_SIZE",
    "SortBy",
    "SortOrder",
    "TransactionIndex",
    "TransactionPage",
    "TransactionQuery",
    "query_transactions",
]

MAX_PAGE_SIZE = 200


class SortBy(StrEnum):
    DATE = "date"
    AMOUNT = "amount"
    MERCHANT = "merchant"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


@attrs.frozen
class TransactionQuery:
    """Every filter is optional; amounts bound the absolute value; merchant is a substring."""

    account_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    merchant_name: str | None = None
    category: str | None = None
    exclude_pending: bool = False
    sort_by: SortBy = SortBy.DATE
    sort_order: SortOrder = SortOrder.DESC
    page: int = 1
    page_size: int = 50

    def validate(self) -> None:
        errors: list[FieldError] = []
        if self.start_date and self.end_date and self.start_date > self.end_date:
            errors.append(FieldError("start_date", "must not be after end_date"))
        if self.page < 1:
            errors.append(FieldError("page", "must be at least 1"))
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            errors.append(FieldError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}"))
        for name in ("min_amount", "max_amount"):
            value = getattr(self, name)
            if value is not None and (not value.is_finite() or value < 0):
                errors.append(FieldError(name, "must be a non-negative decimal"))
        if errors:
            raise ValidationFailed("The transaction query is not valid", errors=errors)


@attrs.frozen
class TransactionPage:
    items: tuple[BankTransaction, ...]
    page: int
    page_size: int
    total: int

    @property
    def has_more(self) -> bool:
        return self.page * self.page_size < self.total


def _merchant_key(t: BankTransaction) -> str:
    return (t.merchant_name or "").casefold()


@attrs.frozen(eq=False)
class TransactionIndex:
    """Transactions plus what every query needs, computed once (compared by identity)."""

    transactions: tuple[BankTransaction, ...]
    dates: tuple[date, ...]
    abs_amounts: tuple[Decimal, ...]
    merchants: tuple[str, ...]
    by_date: tuple[int, ...]
    by_amount: tuple[int, ...]
    by_merchant: tuple[int, ...]
    sorted_dates: tuple[date, ...]

    @classmethod
    def build(cls, transactions: Sequence[BankTransaction]) -> TransactionIndex:
        txns = tuple(transactions)
        merchants = tuple(_merchant_key(t) for t in txns)
        positions = range(len(txns))
        by_date = tuple(sorted(positions, key=lambda i: (txns[i].date, txns[i].id)))
        return cls(
            transactions=txns,
            dates=tuple(t.date for t in txns),
            abs_amounts=tuple(abs(t.amount) for t in txns),
            merchants=merchants,
            by_date=by_date,
            by_amount=tuple(sorted(positions, key=lambda i: (txns[i].amount, txns[i].id))),
            by_merchant=tuple(sorted(positions, key=lambda i: (merchants[i], txns[i].id))),
            sorted_dates=tuple(txns[i].date for i in by_date),
        )

    def __len__(self) -> int:
        return len(self.transactions)


def query_transactions(index: TransactionIndex, query: TransactionQuery) -> TransactionPage:
    """Filter, sort (ties broken by id; desc is the exact reverse of asc) and page."""
    query.validate()
    txns = index.transactions
    if query.sort_by is SortBy.DATE:
        order: Sequence[int] = index.by_date
        # Dates are sorted here, so the date range is a slice found by bisection.
        lo = bisect_left(index.sorted_dates, query.start_date) if query.start_date else 0
        hi = (
            bisect_right(index.sorted_dates, query.end_date)
            if query.end_date
            else len(index.sorted_dates)
        )
        order = order[lo:hi]
        start, end = None, None
    else:
        order = index.by_amount if query.sort_by is SortBy.AMOUNT else index.by_merchant
        start, end = query.start_date, query.end_date
    if query.sort_order is SortOrder.DESC:
        order = order[::-1]

    dates, amounts, merchants = index.dates, index.abs_amounts, index.merchants
    account, category = query.account_id, query.category
    lo_amt, hi_amt = query.min_amount, query.max_amount
    needle = query.merchant_name.casefold() if query.merchant_name else None
    skip_pending = query.exclude_pending

    selected = [
        i
        for i in order
        if (account is None or txns[i].account_id == account)
        and (start is None or dates[i] >= start)
        and (end is None or dates[i] <= end)
        and (lo_amt is None or amounts[i] >= lo_amt)
        and (hi_amt is None or amounts[i] <= hi_amt)
        and (category is None or txns[i].category == category)
        and (needle is None or needle in merchants[i])
        and not (skip_pending and txns[i].pending)
    ]
    first = (query.page - 1) * query.page_size
    page = tuple(txns[i] for i in selected[first : first + query.page_size])
    return TransactionPage(
        items=page, page=query.page, page_size=query.page_size, total=len(selected)
    )
