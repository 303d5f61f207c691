"""Personal finance reads the caller's linked bank data through the banking service."""

from __future__ import annotations

from datetime import date

from core.domain.budgets import SpendingItem
from core.domain.identity import Principal
from core.domain.net_worth import AccountBalance
from core.services.banking import BankingService

__all__ = ["BankingLinkedFinances"]


class BankingLinkedFinances:
    """``ports.linked_finances.LinkedFinances`` over every connection the user linked.

    Accounts without a current balance are left out of net worth (the provider did not say
    what they hold); balances of credit and loan accounts are amounts owed, as the banking
    area reports them.
    """

    def __init__(self, banking: BankingService) -> None:
        self._banking = banking

    async def accounts(self, user_id: str) -> list[AccountBalance]:
        linked = await self._banking.linked_finances(Principal(user_id=user_id))
        return [
            AccountBalance(
                type=a.type, subtype=a.subtype, balance=a.balance_current, currency=a.currency
            )
            for a in linked.accounts
            if a.balance_current is not None
        ]

    async def transactions(self, user_id: str, start: date, end: date) -> list[SpendingItem]:
        linked = await self._banking.linked_finances(Principal(user_id=user_id), start, end)
        return [
            SpendingItem(
                date=t.date,
                amount=t.amount,
                currency=t.currency,
                category=t.category,
                pending=t.pending,
            )
            for t in linked.transactions
        ]
