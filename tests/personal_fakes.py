"""A hand-written ``LinkedFinances`` fake: per-user accounts and transactions in memory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.domain.budgets import SpendingItem
from core.domain.net_worth import AccountBalance


class FakeLinkedFinances:
    def __init__(self) -> None:
        self.accounts_by_user: dict[str, list[AccountBalance]] = {}
        self.transactions_by_user: dict[str, list[SpendingItem]] = {}
        self.asked: list[tuple[str, date, date]] = []

    def link(self, user_id: str, *accounts: AccountBalance) -> None:
        self.accounts_by_user.setdefault(user_id, []).extend(accounts)

    def spend(
        self,
        user_id: str,
        day: str,
        amount: str,
        category: str | None,
        *,
        currency: str = "USD",
        pending: bool = False,
    ) -> None:
        self.transactions_by_user.setdefault(user_id, []).append(
            SpendingItem(date.fromisoformat(day), Decimal(amount), currency, category, pending)
        )

    async def accounts(self, user_id: str) -> list[AccountBalance]:
        return list(self.accounts_by_user.get(user_id, []))

    async def transactions(self, user_id: str, start: date, end: date) -> list[SpendingItem]:
        self.asked.append((user_id, start, end))
        return [t for t in self.transactions_by_user.get(user_id, []) if start <= t.date <= end]


def checking(balance: str, currency: str = "USD") -> AccountBalance:
    return AccountBalance("depository", "checking", Decimal(balance), currency)


def credit_card(owed: str, currency: str = "USD") -> AccountBalance:
    return AccountBalance("credit", "credit_card", Decimal(owed), currency)
