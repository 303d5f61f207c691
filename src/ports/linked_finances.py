"""What personal finance reads from the caller's linked bank data (owned by banking).

A deliberately small port: budget progress needs the caller's transactions in a period and
computed net worth needs the caller's accounts with balances. The banking service answers it
(``core.services.linked_finances.BankingLinkedFinances``); a caller with no linked accounts
gets 409 ``no_linked_accounts`` from both features.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from core.domain.budgets import SpendingItem
from core.domain.net_worth import AccountBalance

__all__ = ["AccountBalance", "LinkedFinances", "SpendingItem"]


class LinkedFinances(Protocol):
    async def accounts(self, user_id: str) -> list[AccountBalance]:
        """Every account the user has linked, with its current balance.

        ``type``/``subtype`` as the provider names them (``depository``/``checking``,
        ``credit``/``credit_card``, ``loan``/``mortgage``, ``investment``...); ``balance`` is
        a Decimal: for credit and loan accounts the amount owed, positive.
        """
        ...

    async def transactions(self, user_id: str, start: date, end: date) -> list[SpendingItem]:
        """The user's transactions dated ``start..end`` inclusive, across linked accounts.

        ``amount`` is a Decimal, negative when money leaves the account (a purchase), positive
        when it comes in (a refund, a salary); ``category`` is the provider's category name.
        """
        ...
