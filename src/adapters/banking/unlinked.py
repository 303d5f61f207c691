"""``LinkedFinances`` for a deployment without the banking area: nobody has linked accounts.

This is the honest answer until banking's own adapter is wired in its place (one line in
``entrypoints/providers/personal.py``); budget progress and computed net worth then answer
409 ``no_linked_accounts`` instead of pretending the user spent nothing.
"""

from __future__ import annotations

from datetime import date

from core.domain.budgets import SpendingItem
from core.domain.net_worth import AccountBalance

__all__ = ["UnlinkedFinances"]


class UnlinkedFinances:
    async def accounts(self, user_id: str) -> list[AccountBalance]:
        return []

    async def transactions(self, user_id: str, start: date, end: date) -> list[SpendingItem]:
        return []
