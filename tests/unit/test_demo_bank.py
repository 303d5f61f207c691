"""The demo bank: deterministic, realistic, and as API.md describes it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.banking.demo import DemoBank
from core.domain.banking import CATEGORIES, InvalidPublicToken
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


async def test_only_demo_prefixed_public_tokens_link() -> None:
    bank = DemoBank(FakeClock())
    with pytest.raises(InvalidPublicToken) as caught:
        await bank.exchange("public-sandbox-123")
    assert caught.value.code == "invalid_public_token"


async def test_a_demo_connection_matches_the_documented_shape() -> None:
    clock = FakeClock()
    bank = DemoBank(clock, 250)
    token = (await bank.exchange("demo-alice")).access_token
    accounts = await bank.accounts(token)
    assert [a.subtype for a in accounts] == ["checking", "savings", "credit_card"]
    today = clock.now().date()
    txns = await bank.transactions(token, today - timedelta(days=89), today)
    assert len(txns) >= 200
    assert len({t.merchant_name for t in txns if t.merchant_name}) >= 10
    assert len({t.category for t in txns}) >= 5
    assert {t.category for t in txns} <= CATEGORIES
    assert any(t.pending for t in txns)
    assert any(t.amount < 0 for t in txns)
    assert any(t.amount > 0 for t in txns)
    assert min(t.date for t in txns) >= today - timedelta(days=89)
    assert len({t.provider_transaction_id for t in txns}) == len(txns)


async def test_the_same_public_token_always_yields_the_same_data() -> None:
    clock = FakeClock()
    first, second = DemoBank(clock), DemoBank(clock)
    a = (await first.exchange("demo-bob")).access_token
    b = (await second.exchange("demo-bob")).access_token
    today = clock.now().date()
    span = (today - timedelta(days=89), today)
    assert await first.transactions(a, *span) == await second.transactions(b, *span)
    assert await first.balances(a) == await second.balances(b)
    other = (await first.exchange("demo-carol")).access_token
    assert await first.transactions(other, *span) != await first.transactions(a, *span)


async def test_the_size_follows_the_setting() -> None:
    clock = FakeClock()
    bank = DemoBank(clock, 5000)
    token = (await bank.exchange("demo-big")).access_token
    today = clock.now().date()
    assert len(await bank.transactions(token, today - timedelta(days=89), today)) == 5000
