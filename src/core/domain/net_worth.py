"""Net worth: assets minus liabilities per currency, as dated snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import attrs

from core.domain.errors import Conflict
from core.domain.personal import to_minor_units

__all__ = [
    "LIABILITY_SUBTYPES",
    "LIABILITY_TYPES",
    "AccountBalance",
    "CurrencyTotal",
    "NetWorthSnapshot",
    "NoLinkedAccounts",
    "SnapshotSource",
    "is_liability",
    "totals_from_accounts",
]

LIABILITY_TYPES = frozenset({"credit", "loan"})
LIABILITY_SUBTYPES = frozenset(
    {
        "credit_card",
        "line_of_credit",
        "mortgage",
        "student",
        "auto",
        "home_equity",
        "personal",
        "loan",
        "overdraft",
    }
)


class NoLinkedAccounts(Conflict):
    code = "no_linked_accounts"
    title = "No linked accounts"


class SnapshotSource(StrEnum):
    LINKED_ACCOUNTS = "linked_accounts"
    MANUAL = "manual"


@attrs.frozen
class AccountBalance:
    """A linked account's current balance; for liabilities, the amount owed (positive)."""

    type: str
    subtype: str | None
    balance: Decimal
    currency: str


@attrs.frozen
class CurrencyTotal:
    currency: str
    assets: int
    liabilities: int

    @property
    def net_worth(self) -> int:
        return self.assets - self.liabilities


@attrs.frozen
class NetWorthSnapshot:
    id: str
    user_id: str
    as_of: date
    source: SnapshotSource
    totals: tuple[CurrencyTotal, ...]
    created_at: datetime


def is_liability(account: AccountBalance) -> bool:
    subtype = (account.subtype or "").casefold()
    return account.type.casefold() in LIABILITY_TYPES or subtype in LIABILITY_SUBTYPES


def totals_from_accounts(accounts: Iterable[AccountBalance]) -> tuple[CurrencyTotal, ...]:
    """Assets and liabilities per currency (sorted by code), in minor units.

    An overdrawn deposit account (negative balance) lowers assets; a liability with a
    negative balance (a credit card in credit) lowers liabilities.
    """
    assets: dict[str, Decimal] = {}
    owed: dict[str, Decimal] = {}
    for account in accounts:
        bucket = owed if is_liability(account) else assets
        bucket[account.currency] = bucket.get(account.currency, Decimal(0)) + account.balance
        (assets if bucket is owed else owed).setdefault(account.currency, Decimal(0))
    return tuple(
        CurrencyTotal(
            currency=c,
            assets=to_minor_units(assets[c], c),
            liabilities=to_minor_units(owed[c], c),
        )
        for c in sorted(assets)
    )
