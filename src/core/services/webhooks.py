"""Use cases of the events feed and the webhook endpoints: list, register, remove, inspect.

Authorization lives here, not only at the HTTP edge: a caller who is not a member of the
merchant gets ``NotFound`` (no existence leak); staff may read events but only owners (and
admins) manage endpoints (``PermissionDenied``).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import Generic, TypeVar

import attrs

from core.domain.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from core.domain.identity import MerchantRole, Principal
from core.domain.webhooks import (
    EVENT_TYPES,
    MAX_ENDPOINTS_PER_MERCHANT,
    EndpointStatus,
    TooManyEndpoints,
    WebhookEndpoint,
    WebhookEndpointNotFound,
    normalise_event_types,
)
from ports.audit import AuditLog
from ports.clock import Clock
from ports.directory import Memberships
from ports.events import Event
from ports.ids import IdGenerator
from ports.webhooks import (
    DeliveryAttempt,
    EventFeed,
    Position,
    SecretSealer,
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookTransport,
)

__all__ = [
    "CreatedEndpoint",
    "MerchantNotFound",
    "Page",
    "WebhookService",
    "decode_cursor",
    "encode_cursor",
]

T = TypeVar("T")


class MerchantNotFound(NotFound):
    code = "not_found"
    title = "Merchant not found"


@attrs.frozen
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@attrs.frozen
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str = attrs.field(repr=False)


def encode_cursor(position: Position) -> str:
    """An opaque cursor holding both halves of the (created_at, id) sort key."""
    raw = json.dumps(
        [position.created_at, position.id], separators=(",", ":"), ensure_ascii=False
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Position | None:
    if cursor is None or cursor == "":
        return None
    invalid = ValidationFailed(
        "The cursor is not valid: see errors.",
        errors=[FieldError("cursor", "not a cursor this API returned")],
    )
    if len(cursor) > 512:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, item_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(created_at, str) or not isinstance(item_id, str):
        raise invalid
    return Position(created_at=created_at, id=item_id)


class WebhookService:
    def __init__(
        self,
        *,
        feed: EventFeed,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        memberships: Memberships,
        transport: WebhookTransport,
        sealer: SecretSealer,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._feed = feed
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._members = memberships
        self._transport = transport
        self._sealer = sealer
        self._audit = audit
        self._clock = clock
        self._ids = ids

    async def _authorize(self, principal: Principal, merchant_id: str, *, manage: bool) -> None:
        if principal.is_admin:
            return
        role = await self._members.role_of(merchant_id, principal.user_id)
        if role is None:
            raise MerchantNotFound()
        if manage and role is not MerchantRole.OWNER:
            raise PermissionDenied("Only the merchant's owners manage webhook endpoints")

    async def list_events(
        self,
        principal: Principal,
        merchant_id: str,
        *,
        event_type: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Event]:
        """The merchant's events, newest first, optionally of one type."""
        await self._authorize(principal, merchant_id, manage=False)
        if event_type is not None and event_type not in EVENT_TYPES:
            raise ValidationFailed(
                "Unknown event type: see errors.",
                errors=[FieldError("type", f"expected one of {', '.join(EVENT_TYPES)}")],
            )
        rows = await self._feed.newest_first(
            merchant_id, event_type=event_type, before=decode_cursor(cursor), limit=limit + 1
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].position) if more and rows else None
        return Page(items=[r.event for r in rows], next_cursor=next_cursor)

    async def create_endpoint(
        self, principal: Principal, merchant_id: str, *, url: str, events: list[str]
    ) -> CreatedEndpoint:
        """Register an endpoint; the signing secret is returned here and never again."""
        await self._authorize(principal, merchant_id, manage=True)
        types = normalise_event_types(events)
        await self._transport.check_url(url)
        if await self._endpoints.count_live(merchant_id) >= MAX_ENDPOINTS_PER_MERCHANT:
            raise TooManyEndpoints(
                f"A merchant may register at most {MAX_ENDPOINTS_PER_MERCHANT} endpoints"
            )
        endpoint = WebhookEndpoint(
            id=self._ids.new("whe"),
            merchant_id=merchant_id,
            url=url,
            events=types,
            status=EndpointStatus.ENABLED,
            created_at=self._clock.now(),
        )
        secret = "whsec_" + secrets.token_urlsafe(32)
        await self._endpoints.add(endpoint, self._sealer.seal(secret, endpoint.id))
        await self._audit.record(
            actor_id=principal.user_id, action="webhook_endpoint.create", target=endpoint.id
        )
        return CreatedEndpoint(endpoint=endpoint, secret=secret)

    async def list_endpoints(self, principal: Principal, merchant_id: str) -> list[WebhookEndpoint]:
        await self._authorize(principal, merchant_id, manage=True)
        return await self._endpoints.for_merchant(merchant_id)

    async def delete_endpoint(
        self, principal: Principal, merchant_id: str, endpoint_id: str
    ) -> None:
        """Stop sending to the endpoint; pending deliveries are cancelled."""
        await self._authorize(principal, merchant_id, manage=True)
        endpoint = await self._endpoints.get(merchant_id, endpoint_id)
        if endpoint is None:
            raise WebhookEndpointNotFound()
        now = self._clock.now()
        current: WebhookEndpoint | None = endpoint
        # A conditional update per observed status: a dispatcher may flip enabled/failing
        # between our read and our write, in which case we read again and retry.
        while current is not None and not await self._endpoints.change_status(
            current.id, to=EndpointStatus.DELETED, only_from=current.status, now=now
        ):
            current = await self._endpoints.get(merchant_id, endpoint_id)
        await self._deliveries.cancel_for_endpoint(endpoint.id, now=now)
        await self._audit.record(
            actor_id=principal.user_id, action="webhook_endpoint.delete", target=endpoint.id
        )

    async def list_deliveries(
        self,
        principal: Principal,
        merchant_id: str,
        endpoint_id: str,
        *,
        cursor: str | None,
        limit: int,
    ) -> Page[DeliveryAttempt]:
        """The endpoint's delivery attempts, newest first."""
        await self._authorize(principal, merchant_id, manage=True)
        if await self._endpoints.get(merchant_id, endpoint_id) is None:
            raise WebhookEndpointNotFound()
        rows = await self._deliveries.attempts(
            endpoint_id, before=decode_cursor(cursor), limit=limit + 1
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].position) if more and rows else None
        return Page(items=[r.attempt for r in rows], next_cursor=next_cursor)
