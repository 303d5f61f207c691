"""Outgoing webhooks: endpoints, event types, the retry schedule and the SSRF address rules.

Pure rules only: the HTTP client, the DNS resolver and the store live behind ports.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

import attrs

from core.domain.errors import Conflict, FieldError, NotFound, ValidationFailed

EVENT_TYPES: Final = (
    "payment.authorized",
    "payment.captured",
    "payment.voided",
    "payment.failed",
    "refund.created",
    "settlement.paid",
    "settlement.failed",
)
ALL_EVENTS: Final = "*"
MAX_ENDPOINTS_PER_MERCHANT: Final = 16
MAX_URL_LENGTH: Final = 2048


class EndpointStatus(StrEnum):
    ENABLED = "enabled"
    FAILING = "failing"  # a delivery gave up after the horizon; a later success re-enables it
    DELETED = "deleted"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the horizon
    CANCELLED = "cancelled"  # the endpoint was deleted first


class AttemptOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    HTTP_ERROR = "http_error"  # the receiver answered with a non-2xx status
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    REFUSED = "refused"  # the URL now resolves to a forbidden address (DNS rebinding)


class WebhookEndpointNotFound(NotFound):
    code = "not_found"
    title = "Webhook endpoint not found"


class WebhookUrlRefused(ValidationFailed):
    """The URL is malformed, not https, or resolves to an address we never call (SSRF)."""

    code = "invalid_webhook_url"
    title = "Webhook URL refused"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The webhook URL is refused: {reason}", errors=[FieldError("url", reason)]
        )
        self.reason = reason


class InvalidEventTypes(ValidationFailed):
    code = "validation_failed"
    title = "Validation failed"


class TooManyEndpoints(Conflict):
    code = "webhook_endpoint_limit"
    title = "Too many webhook endpoints"


@attrs.frozen
class WebhookEndpoint:
    id: str
    merchant_id: str
    url: str
    events: tuple[str, ...]
    status: EndpointStatus
    created_at: datetime


def delivery_id(endpoint_id: str, event_id: str) -> str:
    """The outbox row of one (endpoint, event) pair: scheduling it twice is a no-op."""
    digest = hashlib.sha256(f"{endpoint_id}\n{event_id}".encode()).hexdigest()
    return f"whq_{digest[:32]}"


def attempt_id(delivery: str, attempt: int) -> str:
    """The row of the n-th attempt of a delivery: no attempt is ever recorded twice."""
    digest = hashlib.sha256(f"{delivery}\n{attempt}".encode()).hexdigest()
    return f"whd_{digest[:32]}"


def normalise_event_types(requested: Iterable[str]) -> tuple[str, ...]:
    """The subscribed types in a stable order; ``*`` alone stands for every type."""
    wanted = list(requested)
    unknown = sorted({t for t in wanted if t != ALL_EVENTS and t not in EVENT_TYPES})
    if not wanted or unknown:
        message = (
            f"unknown event types: {', '.join(unknown)}" if unknown else "at least one event type"
        )
        raise InvalidEventTypes(
            "The event list is not valid: see errors.", errors=[FieldError("events", message)]
        )
    if ALL_EVENTS in wanted:
        return (ALL_EVENTS,)
    return tuple(t for t in EVENT_TYPES if t in wanted)


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter, bounded by a horizon after the first attempt.

    The n-th retry waits ``base * 2**(n-1)`` seconds (capped at ``max_delay``), scaled by a
    random factor in ``[1 - jitter, 1 + jitter]`` so that receivers coming back from an outage
    are not hit by every sender in the same second.
    """

    base_seconds: float = 5.0
    max_delay_seconds: float = 6 * 3600.0
    horizon_seconds: float = 3 * 24 * 3600.0
    jitter: float = 0.2

    def delay_after(self, attempt: int, random_unit: float) -> timedelta:
        """Wait before the attempt after ``attempt`` (1-based); ``random_unit`` in [0, 1)."""
        exponent = min(max(attempt - 1, 0), 62)
        raw = min(self.base_seconds * (2.0**exponent), self.max_delay_seconds)
        factor = 1.0 + self.jitter * (2.0 * random_unit - 1.0)
        return timedelta(seconds=max(raw * factor, 0.0))

    def next_attempt_at(
        self, *, first_scheduled: datetime, now: datetime, attempt: int, random_unit: float
    ) -> datetime | None:
        """When to try again, or None when the next try would fall past the horizon."""
        when = now + self.delay_after(attempt, random_unit)
        if when > first_scheduled + timedelta(seconds=self.horizon_seconds):
            return None
        return when


_METADATA: Final = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one tunnels to (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_address_reason(text: str, *, allow_loopback: bool = False) -> str | None:
    """Why a webhook may never be sent to this IP address, or None when it is public.

    ``allow_loopback`` is for local development only: it never opens metadata, private,
    link-local, multicast, reserved or unspecified addresses.
    """
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return forbidden_address_reason(str(inner), allow_loopback=allow_loopback)
    if address in _METADATA:
        return "cloud metadata address"
    if address.is_unspecified:
        return "unspecified address"
    if address.is_loopback:
        return None if allow_loopback else "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_multicast:
        return "multicast address"
    if address.is_reserved:
        return "reserved address"
    if address.is_private:
        return "private address"
    if not address.is_global:
        return "non-public address"
    return None


def rfc3339(moment: datetime) -> str:
    """UTC timestamp as the API renders it (``2026-01-31T12:00:00Z``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_payload(
    event_id: str, event_type: str, created_at: datetime, merchant_id: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The event exactly as the API lists it and as a webhook delivers it."""
    return {
        "id": event_id,
        "type": event_type,
        "created_at": rfc3339(created_at),
        "merchant_id": merchant_id,
        "data": dict(data),
    }


def event_body(payload: Mapping[str, Any]) -> bytes:
    """The bytes a delivery sends and signs: compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
