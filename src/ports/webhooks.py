"""What the events feed, the webhook endpoints and the dispatcher need from the outside world."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

import attrs

from core.domain.webhooks import (
    AttemptOutcome,
    DeliveryStatus,
    EndpointStatus,
    WebhookEndpoint,
)
from ports.events import Event


@attrs.frozen
class Position:
    """Where a row sits in a (created_at, id) ordering; ``created_at`` exactly as stored."""

    created_at: str
    id: str


@attrs.frozen
class ListedEvent:
    event: Event
    position: Position


class EventFeed(Protocol):
    """Reads of the ``events`` table the payments area writes through ``EventLog``."""

    async def newest_first(
        self,
        merchant_id: str,
        *,
        event_type: str | None,
        before: Position | None,
        limit: int,
    ) -> list[ListedEvent]:
        """Events of one merchant, newest first, strictly before ``before`` when given."""
        ...

    async def oldest_first(
        self,
        merchant_id: str,
        *,
        types: Sequence[str] | None,
        since: datetime,
        after: Position | None,
        limit: int,
    ) -> list[ListedEvent]:
        """Events created at or after ``since`` (then after ``after``), oldest first."""
        ...

    async def get(self, event_id: str) -> Event | None: ...


@attrs.frozen
class PendingDelivery:
    """One event owed to one endpoint (the outbox row)."""

    id: str
    endpoint_id: str
    event_id: str
    merchant_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime


@attrs.frozen
class DeliveryAttempt:
    """One try to deliver; the API lists these."""

    id: str
    delivery_id: str
    endpoint_id: str
    event_id: str
    attempt: int
    status_code: int | None
    outcome: AttemptOutcome
    error: str | None
    next_attempt_at: datetime | None
    created_at: datetime


@attrs.frozen
class ListedAttempt:
    attempt: DeliveryAttempt
    position: Position


class WebhookEndpoints(Protocol):
    async def add(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None: ...

    async def count_live(self, merchant_id: str) -> int:
        """Endpoints of the merchant that are not deleted."""
        ...

    async def for_merchant(self, merchant_id: str) -> list[WebhookEndpoint]:
        """Live endpoints, oldest first."""
        ...

    async def get(self, merchant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        """A live endpoint of this merchant, or None."""
        ...

    async def live(self) -> list[WebhookEndpoint]:
        """Every live endpoint of every merchant (the dispatcher's fan-out)."""
        ...

    async def sealed_secret(self, endpoint_id: str) -> str | None: ...

    async def change_status(
        self, endpoint_id: str, *, to: EndpointStatus, only_from: EndpointStatus, now: datetime
    ) -> bool:
        """Conditional status change; True when this call made it."""
        ...


class WebhookDeliveries(Protocol):
    async def schedule(
        self, endpoint: WebhookEndpoint, events: Sequence[Event], *, now: datetime
    ) -> int:
        """Create the pending delivery of each event (idempotent); returns how many are new."""
        ...

    async def scheduled_event_ids(self, endpoint_id: str, *, since: datetime) -> set[str]:
        """Events already scheduled for the endpoint whose event was created at or after since."""
        ...

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending deliveries whose next attempt is due and whose claim has lapsed."""
        ...

    async def claim(
        self, delivery_id: str, *, owner: str, now: datetime, until: datetime
    ) -> PendingDelivery | None:
        """Take the delivery for one attempt (conditional update); None when another has it."""
        ...

    async def record_attempt(self, attempt: DeliveryAttempt) -> bool:
        """Append the attempt row (deterministic id); False when it already exists."""
        ...

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
        """Store the attempt count and the next state, releasing this owner's claim."""
        ...

    async def cancel_for_endpoint(self, endpoint_id: str, *, now: datetime) -> int: ...

    async def attempts(
        self, endpoint_id: str, *, before: Position | None, limit: int
    ) -> list[ListedAttempt]:
        """Attempt rows of one endpoint, newest first."""
        ...


@attrs.frozen
class SendResult:
    outcome: AttemptOutcome
    status_code: int | None = None
    error: str | None = None


class WebhookTransport(Protocol):
    """The guarded egress: URL rules, DNS resolution checked against SSRF ranges, the POST."""

    async def check_url(self, url: str) -> None:
        """Raise ``WebhookUrlRefused`` unless the URL may receive webhooks."""
        ...

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST once, re-checking the resolved address first; never raises for network faults."""
        ...


class HostResolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """IP addresses (text) the host name resolves to; empty when it does not resolve."""
        ...


class SecretSealer(Protocol):
    """Encrypts signing secrets at rest; ``context`` binds a ciphertext to its row."""

    def seal(self, plaintext: str, context: str) -> str: ...

    def open(self, sealed: str, context: str) -> str: ...
