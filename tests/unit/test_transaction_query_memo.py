"""One index answering many queries (its remembered selections in play) still answers exactly."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.banking import BankTransaction
from core.domain.transaction_query import TransactionIndex, TransactionQuery, query_transactions
from tests.unit.test_transaction_query import queries, reference, transactions


@settings(max_examples=100, deadline=None)
@given(transactions(), st.lists(queries(), min_size=1, max_size=12), st.data())
def test_a_shared_index_answers_every_query_and_every_page_like_the_reference(
    txns: list[BankTransaction], asked: list[TransactionQuery], data: st.DataObject
) -> None:
    index = TransactionIndex.build(txns)
    # Each query, then the same filters again on another page (a remembered selection).
    for query in asked:
        for q in (query, attrs.evolve(query, page=data.draw(st.integers(1, 5)))):
            page = query_transactions(index, q)
            ids, total = reference(txns, q)
            assert [t.id for t in page.items] == ids
            assert page.total == total
