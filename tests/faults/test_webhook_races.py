"""Several service instances dispatching at once: every attempt is sent by exactly one."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import anyio
import pytest

from adapters.security.sealed_secrets import AesGcmSealer
from adapters.sql.event_feed import SqlEventFeed
from adapters.sql.events import SqlEventLog
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from adapters.sql.webhooks import SqlWebhookDeliveries, SqlWebhookEndpoints
from adapters.webhooks.transport import GuardedWebhookTransport
from core.domain.webhooks import EndpointStatus, RetryPolicy, WebhookEndpoint
from core.services.webhook_delivery import DispatchReport, WebhookDispatcher
from ports.events import Event
from tests.fakes import FakeClock
from tests.webhook_support import FakeResolver, receiving

pytestmark = pytest.mark.anyio

KEYS = [("k1", b"k" * 32)]


def dispatcher(
    executor: SqliteExecutor, transport: GuardedWebhookTransport, clock: FakeClock, owner: str
) -> WebhookDispatcher:
    return WebhookDispatcher(
        feed=SqlEventFeed(executor),
        endpoints=SqlWebhookEndpoints(executor),
        deliveries=SqlWebhookDeliveries(executor),
        transport=transport,
        sealer=AesGcmSealer(KEYS),
        clock=clock,
        policy=RetryPolicy(jitter=0),
        owner=owner,
        lease_seconds=60,
        fanout_window_seconds=300,
        batch_size=10,
    )


@pytest.mark.parametrize("fail_first", [0, 7])
async def test_two_racing_dispatchers_send_each_attempt_once(
    tmp_path: Path, fail_first: int
) -> None:
    path = str(tmp_path / "race.db")
    first, second = SqliteExecutor(path), SqliteExecutor(path)  # two instances, one store
    clock = FakeClock()
    transport = GuardedWebhookTransport(resolver=FakeResolver(), timeout=2, allow_insecure=True)
    try:
        await Migrator(first).migrate()
        with receiving(fail_first=fail_first) as receiver:
            hook = WebhookEndpoint(
                id="whe_1",
                merchant_id="mer_1",
                url=receiver.url,
                events=("*",),
                status=EndpointStatus.ENABLED,
                created_at=clock.now(),
            )
            await SqlWebhookEndpoints(first).add(hook, AesGcmSealer(KEYS).seal("whsec_s", "whe_1"))
            log = SqlEventLog(first)
            for n in range(25):
                await log.record(
                    Event(f"evt_{n:02d}", "payment.captured", "mer_1", clock.now(), {"n": n})
                )
            a = dispatcher(first, transport, clock, "instance-a")
            b = dispatcher(second, transport, clock, "instance-b")
            reports: list[DispatchReport] = []

            async def run(d: WebhookDispatcher) -> None:
                reports.append(await d.run_once())

            for _ in range(3):  # the failed ones come due again after the clock moves
                async with anyio.create_task_group() as group:
                    group.start_soon(run, a)
                    group.start_soon(run, b)
                clock.advance(60)

        sent = Counter(json.loads(r.body)["id"] for r in receiver.requests)
        accepted = Counter(json.loads(r.body)["id"] for r in receiver.accepted)
        assert set(accepted) == {f"evt_{n:02d}" for n in range(25)}
        assert set(accepted.values()) == {1}
        assert sum(sent.values()) == 25 + fail_first
        # The instances really raced (each saw rows the other had claimed) ...
        assert sum(r.lost_claims for r in reports) > 0
        # ... and no attempt number was used twice.
        assert sum(r.attempted for r in reports) == 25 + fail_first
        rows = await first.execute("SELECT delivery_id, attempt FROM webhook_attempts")
        assert len(rows.rows) == len(set(rows.rows)) == 25 + fail_first
        status = await first.execute(
            "SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status"
        )
        assert dict(status.rows) == {"delivered": 25}
    finally:
        await transport.aclose()
        await first.close()
        await second.close()


async def test_concurrent_lanes_overlap_their_sends_and_still_send_each_event_once(
    tmp_path: Path,
) -> None:
    from entrypoints.jobs.registry import dispatch_pass

    executor = SqliteExecutor(str(tmp_path / "lanes.db"))
    clock = FakeClock()
    transport = GuardedWebhookTransport(resolver=FakeResolver(), timeout=2, allow_insecure=True)
    try:
        await Migrator(executor).migrate()
        with receiving(delay=0.05) as receiver:
            hook = WebhookEndpoint(
                "whe_1", "mer_1", receiver.url, ("*",), EndpointStatus.ENABLED, clock.now()
            )
            await SqlWebhookEndpoints(executor).add(hook, AesGcmSealer(KEYS).seal("s", "whe_1"))
            log = SqlEventLog(executor)
            for n in range(16):
                await log.record(Event(f"evt_{n:02d}", "refund.created", "mer_1", clock.now(), {}))
            report = await dispatch_pass(dispatcher(executor, transport, clock, "a"), 4)
        assert (report.scheduled, report.delivered) == (16, 16)
        sent = Counter(json.loads(r.body)["id"] for r in receiver.requests)
        assert len(sent) == 16
        assert set(sent.values()) == {1}
        assert receiver.max_in_flight > 1  # a slow receiver holds one lane, not the pass
    finally:
        await transport.aclose()
        await executor.close()
