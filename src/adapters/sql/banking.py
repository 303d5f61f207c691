"""Bank connections (sealed tokens), balance snapshots and seen webhook ids, in the store."""

from __future__ import annotations

from datetime import date, datetime

from core.domain.banking import BalanceSnapshot, Connection, ConnectionStatus
from ports.cipher import SealedSecret
from ports.sql import SqlExecutor, SqlValue, as_int

__all__ = ["SqlBalanceSnapshots", "SqlBankConnections", "SqlSeenWebhookEvents"]

_COLUMNS = "id, user_id, provider, external_id, institution_name, status, created_at"


def _connection(row: tuple[SqlValue, ...]) -> Connection:
    cid, user, provider, external, institution, status, created = row
    return Connection(
        id=str(cid),
        user_id=str(user),
        provider=str(provider),
        external_id=str(external),
        institution_name=str(institution),
        status=ConnectionStatus(str(status)),
        created_at=datetime.fromisoformat(str(created)),
    )


class SqlBankConnections:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, connection: Connection, token: SealedSecret) -> None:
        at = connection.created_at.isoformat()
        await self._sql.execute(
            "INSERT INTO bank_connections (id, user_id, provider, external_id, institution_name,"
            " status, token_key_id, token_ciphertext, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                connection.id,
                connection.user_id,
                connection.provider,
                connection.external_id,
                connection.institution_name,
                connection.status.value,
                token.key_id,
                token.ciphertext,
                at,
                at,
            ),
            idempotent=True,
        )

    async def get(self, connection_id: str) -> Connection | None:
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM bank_connections WHERE id = ?", (connection_id,)
        )
        return _connection(result.rows[0]) if result.rows else None

    async def for_user(self, user_id: str) -> list[Connection]:
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM bank_connections WHERE user_id = ? ORDER BY created_at, id",
            (user_id,),
        )
        return [_connection(r) for r in result.rows]

    async def all(self) -> list[Connection]:
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM bank_connections ORDER BY created_at, id"
        )
        return [_connection(r) for r in result.rows]

    async def by_external_id(self, provider: str, external_id: str) -> list[Connection]:
        result = await self._sql.execute(
            f"SELECT {_COLUMNS} FROM bank_connections WHERE provider = ? AND external_id = ?"
            " ORDER BY created_at, id",
            (provider, external_id),
        )
        return [_connection(r) for r in result.rows]

    async def sealed_token(self, connection_id: str) -> SealedSecret | None:
        result = await self._sql.execute(
            "SELECT token_key_id, token_ciphertext FROM bank_connections WHERE id = ?",
            (connection_id,),
        )
        if not result.rows:
            return None
        key_id, ciphertext = result.rows[0]
        return SealedSecret(key_id=str(key_id), ciphertext=str(ciphertext))

    async def set_status(self, connection_id: str, status: ConnectionStatus, at: datetime) -> bool:
        result = await self._sql.execute(
            "UPDATE bank_connections SET status = ?, updated_at = ? WHERE id = ? AND status <> ?",
            (status.value, at.isoformat(), connection_id, status.value),
            idempotent=True,
        )
        return result.rowcount == 1

    async def delete(self, connection_id: str) -> bool:
        result = await self._sql.execute(
            "DELETE FROM bank_connections WHERE id = ?", (connection_id,), idempotent=True
        )
        return result.rowcount == 1

    async def sealed_not_under(self, key_id: str) -> list[tuple[str, SealedSecret]]:
        result = await self._sql.execute(
            "SELECT id, token_key_id, token_ciphertext FROM bank_connections"
            " WHERE token_key_id <> ? ORDER BY id",
            (key_id,),
        )
        return [
            (str(cid), SealedSecret(key_id=str(kid), ciphertext=str(ct)))
            for cid, kid, ct in result.rows
        ]

    async def reseal(self, connection_id: str, old: SealedSecret, new: SealedSecret) -> bool:
        result = await self._sql.execute(
            "UPDATE bank_connections SET token_key_id = ?, token_ciphertext = ?"
            " WHERE id = ? AND token_key_id = ? AND token_ciphertext = ?",
            (new.key_id, new.ciphertext, connection_id, old.key_id, old.ciphertext),
            idempotent=True,
        )
        return result.rowcount == 1


class SqlBalanceSnapshots:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def record(self, snapshot: BalanceSnapshot, at: datetime) -> bool:
        result = await self._sql.execute(
            "INSERT INTO bank_balance_snapshots (account_id, snapshot_date, user_id,"
            " connection_id, balance, currency, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (
                snapshot.account_id,
                snapshot.date.isoformat(),
                snapshot.user_id,
                snapshot.connection_id,
                snapshot.balance,
                snapshot.currency,
                at.isoformat(),
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def history(
        self, user_id: str, account_id: str, start: date | None, end: date | None
    ) -> list[BalanceSnapshot]:
        result = await self._sql.execute(
            "SELECT account_id, connection_id, user_id, snapshot_date, balance, currency"
            " FROM bank_balance_snapshots WHERE user_id = ? AND account_id = ?"
            " AND snapshot_date >= ? AND snapshot_date <= ? ORDER BY snapshot_date",
            (
                user_id,
                account_id,
                (start or date.min).isoformat(),
                (end or date.max).isoformat(),
            ),
        )
        return [
            BalanceSnapshot(
                account_id=str(a),
                connection_id=str(c),
                user_id=str(u),
                date=date.fromisoformat(str(d)),
                balance=as_int(b),
                currency=str(cur),
            )
            for a, c, u, d, b, cur in result.rows
        ]


class SqlSeenWebhookEvents:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def first_sighting(self, provider: str, event_id: str, at: datetime) -> bool:
        result = await self._sql.execute(
            "INSERT INTO bank_webhook_events (provider, event_id, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (provider, event_id, at.isoformat()),
            idempotent=True,
        )
        return result.rowcount == 1
