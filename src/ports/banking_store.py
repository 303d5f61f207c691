"""Persistence for bank aggregation: connections (with sealed tokens), balance snapshots,
seen webhook event ids."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from core.domain.banking import BalanceSnapshot, Connection, ConnectionStatus
from ports.cipher import SealedSecret

__all__ = ["BalanceSnapshots", "BankConnections", "SeenWebhookEvents"]


class BankConnections(Protocol):
    async def add(self, connection: Connection, token: SealedSecret) -> None: ...

    async def get(self, connection_id: str) -> Connection | None: ...

    async def for_user(self, user_id: str) -> list[Connection]:
        """The user's connections, oldest first."""
        ...

    async def all(self) -> list[Connection]: ...

    async def by_external_id(self, provider: str, external_id: str) -> list[Connection]: ...

    async def sealed_token(self, connection_id: str) -> SealedSecret | None: ...

    async def set_status(
        self, connection_id: str, status: ConnectionStatus, at: datetime
    ) -> bool: ...

    async def delete(self, connection_id: str) -> bool: ...

    async def sealed_not_under(self, key_id: str) -> list[tuple[str, SealedSecret]]:
        """Connections whose token is sealed under another key than ``key_id``."""
        ...

    async def reseal(self, connection_id: str, old: SealedSecret, new: SealedSecret) -> bool:
        """Replace the token only if it is still ``old`` (one conditional update)."""
        ...


class BalanceSnapshots(Protocol):
    async def record(self, snapshot: BalanceSnapshot, at: datetime) -> bool:
        """Store the snapshot unless one exists for its account and date; True when new."""
        ...

    async def history(
        self, user_id: str, account_id: str, start: date | None, end: date | None
    ) -> list[BalanceSnapshot]:
        """The user's snapshots of the account, oldest first."""
        ...


class SeenWebhookEvents(Protocol):
    async def first_sighting(self, provider: str, event_id: str, at: datetime) -> bool:
        """Remember the event id; True only the first time it is seen."""
        ...
