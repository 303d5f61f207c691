"""The webhook dispatcher: fan events out to subscribed endpoints, then deliver what is due.

Fan-out writes one outbox row per (endpoint, event) with a deterministic id, so repeating it
(or running it on several instances) schedules nothing twice. Delivery claims each due row
with a conditional update before sending, so of several instances exactly one sends a given
attempt; each attempt is recorded under a deterministic id, then the row is released with
its next attempt time (exponential backoff with jitter) or its final state. A crash between
the send and the record means the attempt is sent again once the claim lapses: delivery is
at least once, as the API promises, and receivers deduplicate on ``Fintech-Event-Id``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from core.domain.webhook_signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header
from core.domain.webhooks import (
    ALL_EVENTS,
    AttemptOutcome,
    DeliveryStatus,
    EndpointStatus,
    RetryPolicy,
    WebhookEndpoint,
    attempt_id,
    event_body,
    event_payload,
)
from ports.clock import Clock
from ports.webhooks import (
    DeliveryAttempt,
    EventFeed,
    PendingDelivery,
    Position,
    SecretSealer,
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookTransport,
)

__all__ = ["DispatchReport", "WebhookDispatcher"]

_PAGE = 500


@attrs.define
class DispatchReport:
    scheduled: int = 0
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    cancelled: int = 0
    lost_claims: int = 0
    errors: int = 0  # attempts that broke inside the service; retried once the claim lapses
    last_error: str | None = None

    def add(self, other: DispatchReport) -> None:
        for field in attrs.fields(DispatchReport):
            if field.name == "last_error":
                self.last_error = other.last_error or self.last_error
            else:
                setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


class WebhookDispatcher:
    def __init__(
        self,
        *,
        feed: EventFeed,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        transport: WebhookTransport,
        sealer: SecretSealer,
        clock: Clock,
        policy: RetryPolicy,
        owner: str,
        lease_seconds: float,
        fanout_window_seconds: float,
        batch_size: int = 100,
        max_events_per_endpoint: int = 5_000,
        random_unit: Callable[[], float] = random.random,
    ) -> None:
        self._feed = feed
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._transport = transport
        self._sealer = sealer
        self._clock = clock
        self._policy = policy
        self._owner = owner
        self._lease = timedelta(seconds=lease_seconds)
        self._window = fanout_window_seconds
        self._batch = batch_size
        self._max_events = max_events_per_endpoint
        self._random = random_unit

    async def run_once(self) -> DispatchReport:
        """One pass: schedule recent events, then send every attempt that is due."""
        report = DispatchReport(scheduled=await self.fan_out())
        report.add(await self.deliver_due())
        return report

    async def sweep(self) -> int:
        """Fan out over the whole retry horizon: catches events recorded late (by recovery)."""
        return await self.fan_out(self._policy.horizon_seconds)

    async def fan_out(self, window_seconds: float | None = None) -> int:
        """Schedule each event created within the window for each endpoint subscribed to it."""
        now = self._clock.now()
        lookback = now - timedelta(
            seconds=self._window if window_seconds is None else window_seconds
        )
        created = 0
        for endpoint in await self._endpoints.live():
            since = max(endpoint.created_at, lookback)
            created += await self._fan_out_endpoint(endpoint, since)
        return created

    async def _fan_out_endpoint(self, endpoint: WebhookEndpoint, since: datetime) -> int:
        types = None if ALL_EVENTS in endpoint.events else list(endpoint.events)
        known = await self._deliveries.scheduled_event_ids(endpoint.id, since=since)
        created = 0
        after: Position | None = None
        seen = 0
        while seen < self._max_events:
            page = await self._feed.oldest_first(
                endpoint.merchant_id, types=types, since=since, after=after, limit=_PAGE
            )
            missing = [row.event for row in page if row.event.id not in known]
            if missing:
                created += await self._deliveries.schedule(endpoint, missing, now=self._clock.now())
            seen += len(page)
            if len(page) < _PAGE:
                break
            after = page[-1].position
        return created

    async def deliver_due(
        self, max_batches: int = 10, *, lane: int = 0, lanes: int = 1
    ) -> DispatchReport:
        """Claim and send due attempts, batch after batch, until none is due.

        Several lanes may run at once (in one process or many): lane ``i`` of ``n`` walks the
        due list from ``i/n`` of the way in, so concurrent lanes rarely contend for a claim.
        """
        report = DispatchReport()
        for _ in range(max_batches):
            due = await self._deliveries.due(self._clock.now(), self._batch)
            if not due:
                break
            start = (lane * len(due)) // max(lanes, 1)
            for delivery_id in due[start:] + due[:start]:
                now = self._clock.now()
                claimed = await self._deliveries.claim(
                    delivery_id, owner=self._owner, now=now, until=now + self._lease
                )
                if claimed is None:
                    report.lost_claims += 1
                    continue
                try:
                    await self._attempt(claimed, report)
                except Exception as exc:  # one broken row (a secret no key opens, say)
                    report.errors += 1  # must not stop the others
                    report.last_error = f"{type(exc).__name__}: {exc}"[:300]
        return report

    async def _attempt(self, delivery: PendingDelivery, report: DispatchReport) -> None:
        endpoint = await self._endpoints.get(delivery.merchant_id, delivery.endpoint_id)
        event = await self._feed.get(delivery.event_id)
        sealed = await self._endpoints.sealed_secret(delivery.endpoint_id)
        if endpoint is None or event is None or sealed is None:
            # The endpoint was deleted (or the row is orphaned): nothing more is owed.
            await self._deliveries.release(
                delivery.id,
                owner=self._owner,
                attempts=delivery.attempts + 1,
                status=DeliveryStatus.CANCELLED,
                next_attempt_at=None,
                now=self._clock.now(),
            )
            report.cancelled += 1
            return
        secret = self._sealer.open(sealed, endpoint.id)
        body = event_body(
            event_payload(event.id, event.type, event.created_at, event.merchant_id, event.data)
        )
        stamp = int(self._clock.now().timestamp())
        headers = {
            EVENT_ID_HEADER: event.id,
            SIGNATURE_HEADER: signature_header(secret, stamp, body),
        }
        result = await self._transport.post(endpoint.url, body, headers)
        number = delivery.attempts + 1
        finished = self._clock.now()
        report.attempted += 1
        if result.outcome is AttemptOutcome.SUCCEEDED:
            status, next_at = DeliveryStatus.DELIVERED, None
        else:
            next_at = self._policy.next_attempt_at(
                first_scheduled=delivery.created_at,
                now=finished,
                attempt=number,
                random_unit=self._random(),
            )
            status = DeliveryStatus.PENDING if next_at is not None else DeliveryStatus.FAILED
        await self._deliveries.record_attempt(
            DeliveryAttempt(
                id=attempt_id(delivery.id, number),
                delivery_id=delivery.id,
                endpoint_id=endpoint.id,
                event_id=event.id,
                attempt=number,
                status_code=result.status_code,
                outcome=result.outcome,
                error=result.error,
                next_attempt_at=next_at,
                created_at=finished,
            )
        )
        released = await self._deliveries.release(
            delivery.id,
            owner=self._owner,
            attempts=number,
            status=status,
            next_attempt_at=next_at,
            now=finished,
        )
        if not released:
            report.lost_claims += 1
            return
        if status is DeliveryStatus.DELIVERED:
            report.delivered += 1
            await self._endpoints.change_status(
                endpoint.id,
                to=EndpointStatus.ENABLED,
                only_from=EndpointStatus.FAILING,
                now=finished,
            )
        elif status is DeliveryStatus.PENDING:
            report.retrying += 1
        else:
            report.gave_up += 1
            await self._endpoints.change_status(
                endpoint.id,
                to=EndpointStatus.FAILING,
                only_from=EndpointStatus.ENABLED,
                now=finished,
            )
