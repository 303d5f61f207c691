"""Wire shapes of the events feed and the webhook endpoints."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from core.domain.webhooks import MAX_URL_LENGTH, WebhookEndpoint, event_payload, rfc3339
from ports.events import Event
from ports.webhooks import DeliveryAttempt


class EventOut(msgspec.Struct):
    id: str
    type: str
    created_at: str
    merchant_id: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> EventOut:
        payload = event_payload(
            event.id, event.type, event.created_at, event.merchant_id, event.data
        )
        return cls(**payload)


class EventList(msgspec.Struct):
    items: list[EventOut]
    next_cursor: str | None


class EndpointCreate(msgspec.Struct, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_URL_LENGTH)]
    events: Annotated[list[str], msgspec.Meta(min_length=1, max_length=16)]


class EndpointOut(msgspec.Struct):
    id: str
    url: str
    events: list[str]
    status: str
    created_at: str

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=list(endpoint.events),
            status=endpoint.status.value,
            created_at=rfc3339(endpoint.created_at),
        )


class EndpointCreated(msgspec.Struct):
    """The only response that ever carries the signing secret."""

    id: str
    url: str
    events: list[str]
    status: str
    created_at: str
    secret: str


class EndpointList(msgspec.Struct):
    items: list[EndpointOut]
    next_cursor: str | None = None


class DeliveryOut(msgspec.Struct):
    id: str
    event_id: str
    attempt: int
    status_code: int | None
    outcome: str
    next_attempt_at: str | None
    created_at: str

    @classmethod
    def of(cls, attempt: DeliveryAttempt) -> DeliveryOut:
        return cls(
            id=attempt.id,
            event_id=attempt.event_id,
            attempt=attempt.attempt,
            status_code=attempt.status_code,
            outcome=attempt.outcome.value,
            next_attempt_at=(
                None if attempt.next_attempt_at is None else rfc3339(attempt.next_attempt_at)
            ),
            created_at=rfc3339(attempt.created_at),
        )


class DeliveryList(msgspec.Struct):
    items: list[DeliveryOut]
    next_cursor: str | None
