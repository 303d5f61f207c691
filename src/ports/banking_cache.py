"""A per-connection cache of provider data, so paging and filtering never refetch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import attrs

from core.domain.banking import BankAccount, BankBalance
from core.domain.transaction_query import TransactionIndex

__all__ = ["ConnectionData", "ConnectionDataCache"]


@attrs.frozen(eq=False)
class ConnectionData:
    """Everything read from the provider for one connection at ``fetched_at``."""

    connection_id: str
    accounts: tuple[BankAccount, ...]
    balances: tuple[BankBalance, ...]
    transactions: TransactionIndex
    fetched_at: datetime


class ConnectionDataCache(Protocol):
    def get(self, connection_id: str) -> ConnectionData | None:
        """The cached data unless it is older than the configured time to live."""
        ...

    def put(self, data: ConnectionData) -> None: ...

    def invalidate(self, connection_id: str) -> None: ...

    def holding_accounts(self, provider_account_ids: Iterable[str]) -> list[str]:
        """Ids of cached connections that hold any of these provider account ids."""
        ...
