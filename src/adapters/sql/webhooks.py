"""Webhook endpoints, the delivery outbox and the attempt log, in the store.

Every write is one statement that is safe to repeat: deterministic ids with ``ON CONFLICT DO
NOTHING`` for inserts, conditional updates whose affected-row count says who won.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from core.domain.webhooks import (
    AttemptOutcome,
    DeliveryStatus,
    EndpointStatus,
    WebhookEndpoint,
    delivery_id,
)
from ports.events import Event
from ports.sql import SqlExecutor, SqlValue, as_int
from ports.webhooks import DeliveryAttempt, ListedAttempt, PendingDelivery, Position

__all__ = ["SqlWebhookDeliveries", "SqlWebhookEndpoints"]

_ENDPOINT_COLUMNS = "id, merchant_id, url, events, status, created_at"
_DELIVERY_COLUMNS = (
    "id, endpoint_id, event_id, merchant_id, status, attempts, next_attempt_at, created_at"
)
_ATTEMPT_COLUMNS = (
    "id, delivery_id, endpoint_id, event_id, attempt, status_code, outcome, error,"
    " next_attempt_at, created_at"
)


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _dt(value: SqlValue) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def _endpoint(row: Sequence[SqlValue]) -> WebhookEndpoint:
    endpoint_id, merchant_id, url, events, status, created_at = row
    return WebhookEndpoint(
        id=str(endpoint_id),
        merchant_id=str(merchant_id),
        url=str(url),
        events=tuple(json.loads(str(events))),
        status=EndpointStatus(str(status)),
        created_at=_dt(created_at),
    )


def _attempt(row: Sequence[SqlValue]) -> DeliveryAttempt:
    (aid, did, endpoint_id, event_id, attempt, code, outcome, error, next_at, created) = row
    return DeliveryAttempt(
        id=str(aid),
        delivery_id=str(did),
        endpoint_id=str(endpoint_id),
        event_id=str(event_id),
        attempt=as_int(attempt),
        status_code=None if code is None else as_int(code),
        outcome=AttemptOutcome(str(outcome)),
        error=None if error is None else str(error),
        next_attempt_at=None if next_at is None else _dt(next_at),
        created_at=_dt(created),
    )


class SqlWebhookEndpoints:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None:
        await self._sql.execute(
            "INSERT INTO webhook_endpoints"
            " (id, merchant_id, url, events, status, secret_sealed, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                endpoint.id,
                endpoint.merchant_id,
                endpoint.url,
                json.dumps(list(endpoint.events)),
                endpoint.status.value,
                sealed_secret,
                _ts(endpoint.created_at),
                _ts(endpoint.created_at),
            ),
            idempotent=True,
        )

    async def count_live(self, merchant_id: str) -> int:
        result = await self._sql.execute(
            "SELECT COUNT(*) FROM webhook_endpoints WHERE merchant_id = ? AND status <> ?",
            (merchant_id, EndpointStatus.DELETED.value),
        )
        return as_int(result.scalar() or 0)

    async def for_merchant(self, merchant_id: str) -> list[WebhookEndpoint]:
        result = await self._sql.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints"
            " WHERE merchant_id = ? AND status <> ? ORDER BY created_at, id",
            (merchant_id, EndpointStatus.DELETED.value),
        )
        return [_endpoint(row) for row in result.rows]

    async def get(self, merchant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        result = await self._sql.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints"
            " WHERE id = ? AND merchant_id = ? AND status <> ?",
            (endpoint_id, merchant_id, EndpointStatus.DELETED.value),
        )
        return _endpoint(result.rows[0]) if result.rows else None

    async def live(self) -> list[WebhookEndpoint]:
        result = await self._sql.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE status IN (?, ?)"
            " ORDER BY created_at, id",
            (EndpointStatus.ENABLED.value, EndpointStatus.FAILING.value),
        )
        return [_endpoint(row) for row in result.rows]

    async def sealed_secret(self, endpoint_id: str) -> str | None:
        result = await self._sql.execute(
            "SELECT secret_sealed FROM webhook_endpoints WHERE id = ?", (endpoint_id,)
        )
        value = result.scalar()
        return None if value is None else str(value)

    async def change_status(
        self, endpoint_id: str, *, to: EndpointStatus, only_from: EndpointStatus, now: datetime
    ) -> bool:
        result = await self._sql.execute(
            "UPDATE webhook_endpoints SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
            (to.value, _ts(now), endpoint_id, only_from.value),
            idempotent=True,
        )
        return result.rowcount == 1


class SqlWebhookDeliveries:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def schedule(
        self, endpoint: WebhookEndpoint, events: Sequence[Event], *, now: datetime
    ) -> int:
        created = 0
        for event in events:
            result = await self._sql.execute(
                "INSERT INTO webhook_deliveries"
                " (id, endpoint_id, event_id, merchant_id, event_created_at, status, attempts,"
                " next_attempt_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    delivery_id(endpoint.id, event.id),
                    endpoint.id,
                    event.id,
                    endpoint.merchant_id,
                    _ts(event.created_at),
                    DeliveryStatus.PENDING.value,
                    _ts(now),
                    _ts(now),
                    _ts(now),
                ),
                idempotent=True,
            )
            created += result.rowcount
        return created

    async def scheduled_event_ids(self, endpoint_id: str, *, since: datetime) -> set[str]:
        result = await self._sql.execute(
            "SELECT event_id FROM webhook_deliveries"
            " WHERE endpoint_id = ? AND event_created_at >= ?",
            (endpoint_id, _ts(since)),
        )
        return {str(row[0]) for row in result.rows}

    async def due(self, now: datetime, limit: int) -> list[str]:
        stamp = _ts(now)
        result = await self._sql.execute(
            "SELECT id FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ?"
            " AND (claimed_until IS NULL OR claimed_until < ?)"
            " ORDER BY next_attempt_at, id LIMIT ?",
            (DeliveryStatus.PENDING.value, stamp, stamp, limit),
        )
        return [str(row[0]) for row in result.rows]

    async def claim(
        self, delivery_id: str, *, owner: str, now: datetime, until: datetime
    ) -> PendingDelivery | None:
        stamp = _ts(now)
        # The conditional update is the lock: of several instances, exactly one matches.
        won = await self._sql.execute(
            "UPDATE webhook_deliveries SET claimed_by = ?, claimed_until = ?, updated_at = ?"
            " WHERE id = ? AND status = ? AND next_attempt_at <= ?"
            " AND (claimed_by IS NULL OR claimed_until < ?)",
            (owner, _ts(until), stamp, delivery_id, DeliveryStatus.PENDING.value, stamp, stamp),
        )
        if won.rowcount != 1:
            return None
        result = await self._sql.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ? AND claimed_by = ?",
            (delivery_id, owner),
        )
        if not result.rows:
            return None
        did, endpoint_id, event_id, merchant_id, status, attempts, next_at, created = result.rows[0]
        return PendingDelivery(
            id=str(did),
            endpoint_id=str(endpoint_id),
            event_id=str(event_id),
            merchant_id=str(merchant_id),
            status=DeliveryStatus(str(status)),
            attempts=as_int(attempts),
            next_attempt_at=_dt(next_at),
            created_at=_dt(created),
        )

    async def record_attempt(self, attempt: DeliveryAttempt) -> bool:
        result = await self._sql.execute(
            f"INSERT INTO webhook_attempts ({_ATTEMPT_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                attempt.id,
                attempt.delivery_id,
                attempt.endpoint_id,
                attempt.event_id,
                attempt.attempt,
                attempt.status_code,
                attempt.outcome.value,
                attempt.error,
                None if attempt.next_attempt_at is None else _ts(attempt.next_attempt_at),
                _ts(attempt.created_at),
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def release(
        self,
        delivery_id: str,
        *,
        owner: str,
        attempts: int,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
        now: datetime,
    ) -> bool:
        result = await self._sql.execute(
            "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,"
            " claimed_by = NULL, claimed_until = NULL, updated_at = ?"
            " WHERE id = ? AND claimed_by = ? AND attempts = ? AND status = ?",
            (
                status.value,
                attempts,
                _ts(next_attempt_at or now),
                _ts(now),
                delivery_id,
                owner,
                attempts - 1,
                DeliveryStatus.PENDING.value,
            ),
            idempotent=True,
        )
        return result.rowcount == 1

    async def cancel_for_endpoint(self, endpoint_id: str, *, now: datetime) -> int:
        result = await self._sql.execute(
            "UPDATE webhook_deliveries SET status = ?, updated_at = ?"
            " WHERE endpoint_id = ? AND status = ?",
            (DeliveryStatus.CANCELLED.value, _ts(now), endpoint_id, DeliveryStatus.PENDING.value),
            idempotent=True,
        )
        return result.rowcount

    async def attempts(
        self, endpoint_id: str, *, before: Position | None, limit: int
    ) -> list[ListedAttempt]:
        where = "endpoint_id = ?"
        params: list[SqlValue] = [endpoint_id]
        if before is not None:
            where += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            params += [before.created_at, before.created_at, before.id]
        result = await self._sql.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM webhook_attempts WHERE {where}"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, limit),
        )
        return [
            ListedAttempt(
                attempt=_attempt(row), position=Position(created_at=str(row[9]), id=str(row[0]))
            )
            for row in result.rows
        ]
