"""The transactions query: filters, sorting and paging agree with a naive reference."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.banking import BankTransaction
from core.domain.errors import ValidationFailed
from core.domain.transaction_query import (
    SortBy,
    SortOrder,
    TransactionIndex,
    TransactionQuery,
    query_transactions,
)

MERCHANTS = ["Starbucks", "STAR market", "Trader Joe's", "Ünïcode Café", None, "amazon"]
CATEGORIES = ["dining", "groceries", "shopping"]
ACCOUNTS = ["acc_A", "acc_B"]
BASE = date(2026, 1, 1)


@st.composite
def transactions(draw: st.DrawFn) -> list[BankTransaction]:
    n = draw(st.integers(0, 40))
    found = []
    for i in range(n):
        found.append(
            BankTransaction(
                id=f"txn_{i:04d}",
                account_id=draw(st.sampled_from(ACCOUNTS)),
                connection_id="con_1",
                amount=Decimal(draw(st.integers(-50_000, 50_000))).scaleb(
                    -draw(st.sampled_from([0, 2, 2, 4]))
                ),
                currency="USD",
                date=BASE + timedelta(days=draw(st.integers(0, 30))),
                description="x",
                merchant_name=draw(st.sampled_from(MERCHANTS)),
                category=draw(st.sampled_from(CATEGORIES)),
                pending=draw(st.booleans()),
            )
        )
    return found


optional_date = st.none() | st.integers(0, 30).map(lambda d: BASE + timedelta(days=d))
optional_amount = st.none() | st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(0, 50_000),
    st.sampled_from([0, 1, 2, 3, 5]),
)


@st.composite
def queries(draw: st.DrawFn) -> TransactionQuery:
    start, end = draw(optional_date), draw(optional_date)
    if start and end and start > end:
        start, end = end, start
    return TransactionQuery(
        account_id=draw(st.none() | st.sampled_from(ACCOUNTS)),
        start_date=start,
        end_date=end,
        min_amount=draw(optional_amount),
        max_amount=draw(optional_amount),
        merchant_name=draw(st.none() | st.sampled_from(["star", "STAR", "é", "joe", "zzz"])),
        category=draw(st.none() | st.sampled_from(CATEGORIES)),
        exclude_pending=draw(st.booleans()),
        sort_by=draw(st.sampled_from(list(SortBy))),
        sort_order=draw(st.sampled_from(list(SortOrder))),
        page=draw(st.integers(1, 5)),
        page_size=draw(st.integers(1, 15)),
    )


def reference(txns: list[BankTransaction], q: TransactionQuery) -> tuple[list[str], int]:
    """The obvious implementation: filter one by one, sort, slice."""
    kept = []
    for t in txns:
        if q.account_id and t.account_id != q.account_id:
            continue
        if q.start_date and t.date < q.start_date:
            continue
        if q.end_date and t.date > q.end_date:
            continue
        if q.min_amount is not None and abs(t.amount) < q.min_amount:
            continue
        if q.max_amount is not None and abs(t.amount) > q.max_amount:
            continue
        if q.merchant_name and q.merchant_name.casefold() not in (t.merchant_name or "").casefold():
            continue
        if q.category and t.category != q.category:
            continue
        if q.exclude_pending and t.pending:
            continue
        kept.append(t)
    keys = {
        SortBy.DATE: lambda t: (t.date, t.id),
        SortBy.AMOUNT: lambda t: (t.amount, t.id),
        SortBy.MERCHANT: lambda t: ((t.merchant_name or "").casefold(), t.id),
    }
    kept.sort(key=keys[q.sort_by], reverse=q.sort_order is SortOrder.DESC)
    first = (q.page - 1) * q.page_size
    return [t.id for t in kept[first : first + q.page_size]], len(kept)


@settings(max_examples=300, deadline=None)
@given(transactions(), queries())
def test_query_matches_the_reference_implementation(
    txns: list[BankTransaction], query: TransactionQuery
) -> None:
    page = query_transactions(TransactionIndex.build(txns), query)
    ids, total = reference(txns, query)
    assert [t.id for t in page.items] == ids
    assert page.total == total
    assert page.has_more == (query.page * query.page_size < total)


def _txn(i: int, day: int, amount: str, merchant: str | None = "M") -> BankTransaction:
    return BankTransaction(
        id=f"txn_{i}",
        account_id="acc_A",
        connection_id="con_1",
        amount=Decimal(amount),
        currency="USD",
        date=BASE + timedelta(days=day),
        description="d",
        merchant_name=merchant,
        category="dining",
        pending=False,
    )


def test_default_order_is_newest_first() -> None:
    index = TransactionIndex.build([_txn(1, 1, "-1"), _txn(2, 5, "-1"), _txn(3, 3, "-1")])
    page = query_transactions(index, TransactionQuery())
    assert [t.id for t in page.items] == ["txn_2", "txn_3", "txn_1"]


def test_amount_bounds_apply_to_the_absolute_value() -> None:
    index = TransactionIndex.build([_txn(1, 1, "-45.67"), _txn(2, 1, "45.67"), _txn(3, 1, "-5")])
    page = query_transactions(index, TransactionQuery(min_amount=Decimal("40")))
    assert {t.id for t in page.items} == {"txn_1", "txn_2"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (TransactionQuery(start_date=date(2026, 2, 1), end_date=date(2026, 1, 1)), "start_date"),
        (TransactionQuery(page=0), "page"),
        (TransactionQuery(page_size=201), "page_size"),
        (TransactionQuery(page_size=0), "page_size"),
        (TransactionQuery(min_amount=Decimal("-1")), "min_amount"),
    ],
)
def test_invalid_queries_are_refused_naming_the_field(query: TransactionQuery, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        query_transactions(TransactionIndex.build([]), query)
    assert [e.field for e in caught.value.errors] == [field]
