"""Bank aggregation use cases: link, exchange, read (through a per-connection cache), revoke.

Every method takes the caller's principal; a connection of another user is reported exactly
like a missing one (404). Provider access tokens are only ever handled sealed, and opened
for the duration of one provider call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from core.domain.bank_records import from_records
from core.domain.banking import (
    BankAccount,
    BankBalance,
    BankConnectionNotFound,
    BankProviderError,
    BankTransaction,
    Connection,
    ConnectionRequiresRelink,
    ConnectionStatus,
    IdentityOwner,
    LinkedFinances,
    LinkToken,
)
from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import Principal
from core.domain.transaction_query import (
    TransactionIndex,
    TransactionPage,
    TransactionQuery,
    query_transactions,
)
from ports.audit import AuditLog
from ports.bank_aggregation import BankAggregator, BankAggregators
from ports.banking_cache import ConnectionData, ConnectionDataCache
from ports.banking_store import BankConnections
from ports.cipher import TokenCipher
from ports.clock import Clock
from ports.ids import IdGenerator

__all__ = ["HISTORY_DAYS", "BankingService"]

HISTORY_DAYS = 730
"""How far back a connection's transactions are read into the cache."""
_COMBINED_MEMO = 256


class BankingService:
    def __init__(
        self,
        *,
        aggregators: BankAggregators,
        connections: BankConnections,
        cipher: TokenCipher,
        cache: ConnectionDataCache,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._aggregators = aggregators
        self._connections = connections
        self._cipher = cipher
        self._cache = cache
        self._audit = audit
        self._clock = clock
        self._ids = ids
        self._combined: dict[tuple[str, ...], tuple[tuple[ConnectionData, ...], TransactionIndex]]
        self._combined = {}

    # --- linking ------------------------------------------------------------------------

    def _aggregator(self, provider: str | None) -> BankAggregator:
        name = provider or self._aggregators.default
        aggregator = self._aggregators.get(name)
        if aggregator is None:
            raise ValidationFailed(
                "That bank provider is not configured",
                errors=[FieldError("provider", f"{name!r} is not available")],
            )
        return aggregator

    async def link(self, principal: Principal, provider: str | None = None) -> LinkToken:
        return await self._aggregator(provider).create_link(principal.user_id)

    async def exchange(
        self, principal: Principal, public_token: str, provider: str | None = None
    ) -> Connection:
        aggregator = self._aggregator(provider)
        exchanged = await aggregator.exchange(public_token)
        connection = Connection(
            id=self._ids.new("con"),
            user_id=principal.user_id,
            provider=aggregator.name,
            external_id=exchanged.external_id,
            institution_name=exchanged.institution_name,
            status=ConnectionStatus.ACTIVE,
            created_at=self._clock.now(),
        )
        sealed = self._cipher.seal(exchanged.access_token, context=connection.id)
        await self._connections.add(connection, sealed)
        await self._audit.record(
            actor_id=principal.user_id, action="banking.connection.create", target=connection.id
        )
        return connection

    async def connections(self, principal: Principal) -> list[Connection]:
        return await self._connections.for_user(principal.user_id)

    async def connection(self, principal: Principal, connection_id: str) -> Connection:
        found = await self._connections.get(connection_id)
        if found is None or found.user_id != principal.user_id:
            raise BankConnectionNotFound("No such bank connection")
        return found

    async def delete_connection(self, principal: Principal, connection_id: str) -> None:
        """Revoke at the provider (best effort when it is unreachable), then forget the token."""
        connection = await self.connection(principal, connection_id)
        aggregator = self._aggregators.get(connection.provider)
        sealed = await self._connections.sealed_token(connection.id)
        outcome = "success"
        if aggregator is not None and sealed is not None:
            try:
                await aggregator.revoke(self._cipher.open(sealed, context=connection.id))
            except (BankProviderError, ConnectionRequiresRelink):
                outcome = "revoke_failed"
        await self._connections.delete(connection.id)
        self._cache.invalidate(connection.id)
        await self._audit.record(
            actor_id=principal.user_id,
            action="banking.connection.delete",
            target=connection.id,
            outcome=outcome,
        )

    # --- reading ------------------------------------------------------------------------

    async def _scope(self, principal: Principal, connection_id: str | None) -> list[Connection]:
        if connection_id is not None:
            return [await self.connection(principal, connection_id)]
        return await self._connections.for_user(principal.user_id)

    async def data(self, connection: Connection) -> ConnectionData:
        """The connection's provider data, from the cache or fetched once and cached."""
        cached = self._cache.get(connection.id)
        if cached is not None:
            return cached
        if connection.status is ConnectionStatus.RELINK_REQUIRED:
            raise ConnectionRequiresRelink("The bank connection must be linked again")
        aggregator = self._aggregators.get(connection.provider)
        sealed = await self._connections.sealed_token(connection.id)
        if aggregator is None or sealed is None:
            raise BankProviderError("The connection's provider is not available")
        token = self._cipher.open(sealed, context=connection.id)
        today = self._clock.now().date()
        try:
            accounts = await aggregator.accounts(token)
            balances = await aggregator.balances(token)
            records = await aggregator.transactions(
                token, today - timedelta(days=HISTORY_DAYS), today
            )
        except ConnectionRequiresRelink:
            await self._connections.set_status(
                connection.id, ConnectionStatus.RELINK_REQUIRED, self._clock.now()
            )
            raise
        now = self._clock.now()
        bank_accounts, bank_balances, transactions = from_records(
            connection.id, accounts, balances, records, now
        )
        data = ConnectionData(
            connection_id=connection.id,
            accounts=tuple(bank_accounts),
            balances=tuple(bank_balances),
            transactions=TransactionIndex.build(transactions),
            fetched_at=now,
        )
        self._cache.put(data)
        return data

    async def _datas(self, principal: Principal, connection_id: str | None) -> list[ConnectionData]:
        return [await self.data(c) for c in await self._scope(principal, connection_id)]

    async def accounts(
        self, principal: Principal, connection_id: str | None = None
    ) -> list[BankAccount]:
        return [a for d in await self._datas(principal, connection_id) for a in d.accounts]

    async def balances(
        self, principal: Principal, connection_id: str | None = None
    ) -> list[BankBalance]:
        return [b for d in await self._datas(principal, connection_id) for b in d.balances]

    def _index(self, datas: Sequence[ConnectionData]) -> TransactionIndex:
        if len(datas) == 1:
            return datas[0].transactions
        key = tuple(d.connection_id for d in datas)
        memo = self._combined.get(key)
        if memo is not None and all(a is b for a, b in zip(memo[0], datas, strict=True)):
            return memo[1]
        index = TransactionIndex.build([t for d in datas for t in d.transactions.transactions])
        if len(self._combined) >= _COMBINED_MEMO:
            self._combined.clear()
        self._combined[key] = (tuple(datas), index)
        return index

    async def transactions(
        self, principal: Principal, query: TransactionQuery, connection_id: str | None = None
    ) -> TransactionPage:
        query.validate()
        return query_transactions(self._index(await self._datas(principal, connection_id)), query)

    async def identity(
        self, principal: Principal, connection_id: str | None = None
    ) -> list[IdentityOwner]:
        """Account owners; every call is audited (the data itself never is)."""
        owners: list[IdentityOwner] = []
        try:
            scope = await self._scope(principal, connection_id)
        except BankConnectionNotFound:
            await self._audit.record(
                actor_id=principal.user_id,
                action="banking.identity.read",
                target=connection_id,
                outcome="denied",
            )
            raise
        for connection in scope:
            outcome = "failure"
            try:
                aggregator = self._aggregators.get(connection.provider)
                sealed = await self._connections.sealed_token(connection.id)
                if connection.status is ConnectionStatus.RELINK_REQUIRED:
                    raise ConnectionRequiresRelink("The bank connection must be linked again")
                if aggregator is None or sealed is None:
                    raise BankProviderError("The connection's provider is not available")
                token = self._cipher.open(sealed, context=connection.id)
                owners.extend(await aggregator.identity(token))
                outcome = "success"
            finally:
                await self._audit.record(
                    actor_id=principal.user_id,
                    action="banking.identity.read",
                    target=connection.id,
                    outcome=outcome,
                )
        return owners

    async def linked_finances(
        self, principal: Principal, start: date | None = None, end: date | None = None
    ) -> LinkedFinances:
        """The user's accounts with balances and their transactions dated start..end.

        For the personal-finance area (budget progress, net worth): provider-neutral models
        across every connection of the user; connections that need a relink are skipped.
        """
        accounts: list[BankAccount] = []
        transactions: list[BankTransaction] = []
        for connection in await self._connections.for_user(principal.user_id):
            try:
                data = await self.data(connection)
            except ConnectionRequiresRelink:
                continue
            accounts.extend(data.accounts)
            transactions.extend(
                t
                for t in data.transactions.transactions
                if (start is None or t.date >= start) and (end is None or t.date <= end)
            )
        transactions.sort(key=lambda t: (t.date, t.id))
        return LinkedFinances(accounts=tuple(accounts), transactions=tuple(transactions))
