"""The webhook outbox, attempt log, event feed and job leases behave the same on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.sql.event_feed import SqlEventFeed
from adapters.sql.events import SqlEventLog
from adapters.sql.jobs import SqlJobLeases
from adapters.sql.migrator import Migrator
from adapters.sql.webhooks import SqlWebhookDeliveries, SqlWebhookEndpoints
from core.domain.webhooks import (
    AttemptOutcome,
    DeliveryStatus,
    EndpointStatus,
    WebhookEndpoint,
    attempt_id,
    delivery_id,
)
from ports.events import Event
from ports.sql import SqlExecutor
from ports.webhooks import DeliveryAttempt
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio

NOW = FakeClock().now()


@pytest.fixture
async def store(executor: SqlExecutor) -> SqlExecutor:
    await Migrator(executor).migrate()
    return executor


def endpoint(endpoint_id: str = "whe_1", events: tuple[str, ...] = ("*",)) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=endpoint_id,
        merchant_id="mer_1",
        url="https://hooks.example/x",
        events=events,
        status=EndpointStatus.ENABLED,
        created_at=NOW,
    )


def event(event_id: str, seconds: float = 0, event_type: str = "payment.captured") -> Event:
    return Event(
        id=event_id,
        type=event_type,
        merchant_id="mer_1",
        created_at=NOW + timedelta(seconds=seconds),
        data={"id": event_id},
    )


async def test_scheduling_is_idempotent_per_endpoint_and_event(store: SqlExecutor) -> None:
    deliveries = SqlWebhookDeliveries(store)
    first = await deliveries.schedule(endpoint(), [event("evt_1"), event("evt_2")], now=NOW)
    again = await deliveries.schedule(endpoint(), [event("evt_1"), event("evt_2")], now=NOW)
    other = await deliveries.schedule(endpoint("whe_2"), [event("evt_1")], now=NOW)
    assert (first, again, other) == (2, 0, 1)
    assert await deliveries.scheduled_event_ids("whe_1", since=NOW) == {"evt_1", "evt_2"}
    assert await deliveries.due(NOW, 10) == sorted(
        [
            delivery_id("whe_1", "evt_1"),
            delivery_id("whe_1", "evt_2"),
            delivery_id("whe_2", "evt_1"),
        ]
    )


async def test_a_claim_is_exclusive_until_released_or_lapsed(store: SqlExecutor) -> None:
    deliveries = SqlWebhookDeliveries(store)
    await deliveries.schedule(endpoint(), [event("evt_1")], now=NOW)
    did = delivery_id("whe_1", "evt_1")
    lease = NOW + timedelta(seconds=40)
    mine = await deliveries.claim(did, owner="a", now=NOW, until=lease)
    assert mine is not None
    assert mine.attempts == 0
    assert await deliveries.claim(did, owner="b", now=NOW, until=lease) is None
    assert await deliveries.due(NOW, 10) == []
    # The claim lapses: another instance may take it (the first crashed mid-flight).
    later = NOW + timedelta(seconds=41)
    assert (
        await deliveries.claim(did, owner="b", now=later, until=later + timedelta(40)) is not None
    )
    # The stale owner can no longer release it; the current one can, once.
    retry = later + timedelta(seconds=5)
    assert not await deliveries.release(
        did, owner="a", attempts=1, status=DeliveryStatus.PENDING, next_attempt_at=retry, now=later
    )
    assert await deliveries.release(
        did, owner="b", attempts=1, status=DeliveryStatus.PENDING, next_attempt_at=retry, now=later
    )
    assert not await deliveries.release(
        did, owner="b", attempts=1, status=DeliveryStatus.PENDING, next_attempt_at=retry, now=later
    )
    assert await deliveries.due(later, 10) == []
    assert await deliveries.due(retry, 10) == [did]


async def test_attempt_rows_are_written_once_and_listed_newest_first(store: SqlExecutor) -> None:
    deliveries = SqlWebhookDeliveries(store)
    did = delivery_id("whe_1", "evt_1")
    for n in (1, 2, 3):
        row = DeliveryAttempt(
            id=attempt_id(did, n),
            delivery_id=did,
            endpoint_id="whe_1",
            event_id="evt_1",
            attempt=n,
            status_code=500 if n < 3 else 200,
            outcome=AttemptOutcome.HTTP_ERROR if n < 3 else AttemptOutcome.SUCCEEDED,
            error=None,
            next_attempt_at=NOW + timedelta(seconds=10 * n) if n < 3 else None,
            created_at=NOW + timedelta(seconds=n),
        )
        assert await deliveries.record_attempt(row) is True
        assert await deliveries.record_attempt(row) is False
    page = await deliveries.attempts("whe_1", before=None, limit=2)
    assert [r.attempt.attempt for r in page] == [3, 2]
    rest = await deliveries.attempts("whe_1", before=page[-1].position, limit=2)
    assert [r.attempt.attempt for r in rest] == [1]
    assert rest[0].attempt.next_attempt_at == NOW + timedelta(seconds=10)


async def test_endpoints_are_listed_live_and_change_status_conditionally(
    store: SqlExecutor,
) -> None:
    endpoints = SqlWebhookEndpoints(store)
    await endpoints.add(endpoint("whe_1", ("payment.captured",)), "sealed-1")
    await endpoints.add(endpoint("whe_2"), "sealed-2")
    assert await endpoints.count_live("mer_1") == 2
    assert await endpoints.sealed_secret("whe_1") == "sealed-1"
    got = await endpoints.get("mer_1", "whe_1")
    assert got is not None
    assert got.events == ("payment.captured",)
    assert await endpoints.get("mer_other", "whe_1") is None
    failing, enabled = EndpointStatus.FAILING, EndpointStatus.ENABLED
    assert await endpoints.change_status("whe_1", to=failing, only_from=enabled, now=NOW)
    assert not await endpoints.change_status("whe_1", to=failing, only_from=enabled, now=NOW)
    deleted = EndpointStatus.DELETED
    assert await endpoints.change_status("whe_2", to=deleted, only_from=enabled, now=NOW)
    assert [e.id for e in await endpoints.live()] == ["whe_1"]
    assert [e.status for e in await endpoints.for_merchant("mer_1")] == [failing]


async def test_the_feed_orders_by_time_then_id_in_both_directions(store: SqlExecutor) -> None:
    log, feed = SqlEventLog(store), SqlEventFeed(store)
    for event_id, seconds in (("evt_z", 0), ("evt_b", 1), ("evt_a", 1), ("evt_c", 2)):
        await log.record(event(event_id, seconds))
    await log.record(event("evt_r", 1, "refund.created"))
    newest = await feed.newest_first("mer_1", event_type="payment.captured", before=None, limit=10)
    assert [e.event.id for e in newest] == ["evt_c", "evt_b", "evt_a", "evt_z"]
    after_b = await feed.newest_first("mer_1", event_type=None, before=newest[1].position, limit=10)
    assert [e.event.id for e in after_b] == ["evt_a", "evt_z"]
    oldest = await feed.oldest_first(
        "mer_1", types=["refund.created", "payment.captured"], since=NOW, after=None, limit=3
    )
    assert [e.event.id for e in oldest] == ["evt_z", "evt_a", "evt_b"]
    more = await feed.oldest_first(
        "mer_1", types=None, since=NOW, after=oldest[-1].position, limit=10
    )
    assert [e.event.id for e in more] == ["evt_r", "evt_c"]
    fetched = await feed.get("evt_r")
    assert fetched is not None
    assert fetched.created_at == NOW + timedelta(seconds=1)
    assert fetched.data == {"id": "evt_r"}


async def test_a_job_tick_is_leased_to_exactly_one_owner(store: SqlExecutor) -> None:
    leases = SqlJobLeases(store)
    assert await leases.acquire("recovery", 42, owner="a", now=NOW) is True
    assert await leases.acquire("recovery", 42, owner="b", now=NOW) is False
    # A retried insert from the winner still reads as won.
    assert await leases.acquire("recovery", 42, owner="a", now=NOW) is True
    assert await leases.acquire("recovery", 43, owner="b", now=NOW) is True
    await leases.finish("recovery", 43, outcome="failed", error="boom", now=NOW)
    latest = await leases.latest("recovery")
    assert latest is not None
    assert (latest.tick, latest.owner, latest.outcome, latest.error) == (43, "b", "failed", "boom")
    assert await leases.prune("recovery", before_tick=43) == 1
    assert await leases.latest("other") is None
