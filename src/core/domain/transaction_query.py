"""Filtering, sorting and paging of bank transactions: one pure function over an index.

The index is built once per cached data set: lowercase merchant names, absolute amounts
and the three sort orders are computed there, so a request only walks a pre-sorted list of
positions and compares plain values (no per-request parsing or sorting).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
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
_MAX_SELECTIONS = 256  # filter sets remembered per index


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


def _exponent(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _merchant_key(t: BankTransaction) -> str:
    return (t.merchant_name or "").casefold()


@attrs.frozen(eq=False)
class TransactionIndex:
    """Transactions plus what every query needs, computed once (compared by identity)."""

    transactions: tuple[BankTransaction, ...]
    dates: tuple[date, ...]
    account_ids: tuple[str, ...]
    categories: tuple[str, ...]
    pending: tuple[bool, ...]
    abs_amounts: tuple[int, ...]  # absolute amounts scaled by 10**scale: exact integers
    scale: int
    merchants: tuple[str, ...]
    by_date: tuple[int, ...]
    by_amount: tuple[int, ...]
    by_merchant: tuple[int, ...]
    sorted_dates: tuple[date, ...]
    # Positions selected by recent filter sets (everything but the page): the index never
    # changes, so a repeated filter (the next page, a client polling) skips the scan.
    selections: dict[tuple[object, ...], tuple[int, ...]] = attrs.field(
        factory=dict, init=False, repr=False
    )

    @classmethod
    def build(cls, transactions: Sequence[BankTransaction]) -> TransactionIndex:
        txns = tuple(transactions)
        merchants = tuple(_merchant_key(t) for t in txns)
        positions = range(len(txns))
        by_date = tuple(sorted(positions, key=lambda i: (txns[i].date, txns[i].id)))
        scale = max([0, *(-_exponent(t.amount) for t in txns)])
        factor = Decimal(10) ** scale
        return cls(
            transactions=txns,
            dates=tuple(t.date for t in txns),
            account_ids=tuple(t.account_id for t in txns),
            categories=tuple(t.category for t in txns),
            pending=tuple(t.pending for t in txns),
            abs_amounts=tuple(int(abs(t.amount) * factor) for t in txns),
            scale=scale,
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
    key = (
        query.account_id,
        query.start_date,
        query.end_date,
        query.min_amount,
        query.max_amount,
        query.merchant_name.casefold() if query.merchant_name else None,
        query.category,
        query.exclude_pending,
        query.sort_by,
        query.sort_order,
    )
    selected = index.selections.get(key)
    if selected is None:
        selected = _select(index, query)
        if len(index.selections) >= _MAX_SELECTIONS:
            index.selections.pop(next(iter(index.selections)))  # the oldest
        index.selections[key] = selected
    first = (query.page - 1) * query.page_size
    page = tuple(txns[i] for i in selected[first : first + query.page_size])
    return TransactionPage(
        items=page, page=query.page, page_size=query.page_size, total=len(selected)
    )


def _select(index: TransactionIndex, query: TransactionQuery) -> tuple[int, ...]:
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

    # Each active filter is one pass over the survivors of the previous ones; a query with no
    # filter does no per-item work at all.
    selected: Sequence[int] = order
    if query.account_id is not None:
        account, accounts = query.account_id, index.account_ids
        selected = [i for i in selected if accounts[i] == account]
    if query.category is not None:
        category, categories = query.category, index.categories
        selected = [i for i in selected if categories[i] == category]
    if query.exclude_pending:
        pending = index.pending
        selected = [i for i in selected if not pending[i]]
    if start is not None or end is not None:
        dates = index.dates
        if start is not None:
            selected = [i for i in selected if dates[i] >= start]
        if end is not None:
            selected = [i for i in selected if dates[i] <= end]
    amounts, factor = index.abs_amounts, Decimal(10) ** index.scale
    if query.min_amount is not None:
        # |amount| >= m  ⇔  scaled |amount| >= ceil(m · 10**scale), exactly.
        low = int((query.min_amount * factor).to_integral_value(rounding=ROUND_CEILING))
        selected = [i for i in selected if amounts[i] >= low]
    if query.max_amount is not None:
        high = int((query.max_amount * factor).to_integral_value(rounding=ROUND_FLOOR))
        selected = [i for i in selected if amounts[i] <= high]
    if query.merchant_name:
        needle, merchants = query.merchant_name.casefold(), index.merchants
        selected = [i for i in selected if needle in merchants[i]]
    return tuple(selected)
