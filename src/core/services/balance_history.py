"""Balance snapshots (one per account and day, idempotent) and the history they form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs

from core.domain.banking import (
    BalanceSnapshot,
    BankConnectionNotFound,
    Connection,
    minor_units,
)
from core.domain.errors import DomainError, FieldError, PermissionDenied, ValidationFailed
from core.domain.identity import Principal
from core.services.banking import BankingService
from ports.banking_store import BalanceSnapshots, BankConnections
from ports.clock import Clock

__all__ = ["BalanceHistoryService", "SyncReport"]


@attrs.frozen
class SyncReport:
    connections: int
    snapshots_recorded: int
    failures: tuple[tuple[str, str], ...]  # (connection id, error code)


class BalanceHistoryService:
    def __init__(
        self,
        *,
        banking: BankingService,
        connections: BankConnections,
        snapshots: BalanceSnapshots,
        clock: Clock,
    ) -> None:
        self._banking = banking
        self._connections = connections
        self._snapshots = snapshots
        self._clock = clock

    async def _snapshot(self, connection: Connection) -> list[BalanceSnapshot]:
        data = await self._banking.data(connection)
        today = self._clock.now().date()
        taken: list[BalanceSnapshot] = []
        for balance in data.balances:
            if balance.current is None:
                continue
            snapshot = BalanceSnapshot(
                account_id=balance.account_id,
                connection_id=connection.id,
                user_id=connection.user_id,
                date=today,
                balance=minor_units(balance.current, balance.currency),
                currency=balance.currency,
            )
            await self._snapshots.record(snapshot, self._clock.now())
            taken.append(snapshot)
        return taken

    async def record(
        self, principal: Principal, connection_id: str | None = None
    ) -> list[BalanceSnapshot]:
        """Today's snapshot of every account in scope (repeating it the same day is a no-op)."""
        if connection_id is not None:
            scope = [await self._banking.connection(principal, connection_id)]
        else:
            scope = await self._banking.connections(principal)
        taken: list[BalanceSnapshot] = []
        for connection in scope:
            taken.extend(await self._snapshot(connection))
        return taken

    async def history(
        self, principal: Principal, account_id: str, start: date | None, end: date | None
    ) -> list[BalanceSnapshot]:
        if start and end and start > end:
            raise ValidationFailed(
                "start_date is after end_date",
                errors=[FieldError("start_date", "must not be after end_date")],
            )
        rows = await self._snapshots.history(principal.user_id, account_id, start, end)
        if rows:
            return rows
        # No snapshot in range: still 404 unless the account is one of the caller's.
        for connection in await self._banking.connections(principal):
            try:
                data = await self._banking.data(connection)
            except DomainError:
                continue
            if any(a.id == account_id for a in data.accounts):
                return []
        if await self._snapshots.history(principal.user_id, account_id, None, None):
            return []
        raise BankConnectionNotFound("No such bank account")

    async def sync_all(
        self,
        principal: Principal,
        on_connection: Callable[[Connection, int, str | None], None] | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> SyncReport:
        """Snapshot every connection (operators only), continuing past failing ones."""
        if not principal.is_admin:
            raise PermissionDenied("Only operators may sync every connection")
        everything = await self._connections.all()
        if on_start is not None:
            on_start(len(everything))
        recorded = 0
        failures: list[tuple[str, str]] = []
        for connection in everything:
            error: str | None = None
            count = 0
            try:
                count = len(await self._snapshot(connection))
            except DomainError as exc:
                error = exc.code
                failures.append((connection.id, exc.code))
            recorded += count
            if on_connection is not None:
                on_connection(connection, count, error)
        return SyncReport(
            connections=len(everything), snapshots_recorded=recorded, failures=tuple(failures)
        )
