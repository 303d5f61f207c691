"""The merchant and the caller's role in one read behaves the same on every store."""

from __future__ import annotations

import pytest

from adapters.sql.directory import SqlMemberships
from adapters.sql.merchants import SqlMerchantRepository
from adapters.sql.migrator import Migrator
from core.domain.identity import MerchantRole
from core.domain.merchants import Merchant
from ports.sql import SqlExecutor
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


async def test_one_read_answers_the_merchant_and_the_callers_role(executor: SqlExecutor) -> None:
    await Migrator(executor).migrate()
    merchants = SqlMerchantRepository(executor)
    members = SqlMemberships(executor, FakeClock())
    merchant = Merchant(
        id="mer_1",
        name="Shop",
        default_currency="USD",
        currencies=("USD", "EUR"),
        status="active",
        created_at="2026-01-01T00:00:00Z",
    )
    await merchants.add(merchant)
    await members.add("mer_1", "usr_owner", MerchantRole.OWNER)
    await members.add("mer_1", "usr_staff", MerchantRole.STAFF)
    await members.add("mer_2", "usr_owner", MerchantRole.OWNER)  # another merchant's row

    assert await merchants.get_with_role("mer_1", "usr_owner") == (merchant, MerchantRole.OWNER)
    assert await merchants.get_with_role("mer_1", "usr_staff") == (merchant, MerchantRole.STAFF)
    assert await merchants.get_with_role("mer_1", "usr_other") == (merchant, None)
    assert await merchants.get_with_role("mer_missing", "usr_owner") is None
