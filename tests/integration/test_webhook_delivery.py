"""Deliveries to a real HTTP receiver on loopback: signed, retried with backoff, given up.

Time is the FakeClock's: the test moves it to each next attempt instead of sleeping.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.domain.webhook_signing import verify
from core.domain.webhooks import EVENT_TYPES
from core.services.webhook_delivery import WebhookDispatcher
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from ports.webhooks import HostResolver
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider, override
from tests.webhook_support import (
    MERCHANT,
    OWNER,
    FakeResolver,
    Received,
    add_members,
    container_of,
    receiving,
    record,
)

pytestmark = pytest.mark.anyio

BASE = f"/v1/merchants/{MERCHANT}"


@pytest.fixture
def settings(sql_url: str) -> Settings:
    # Development allows http:// and loopback receivers; the background loop stays off so
    # the test drives every pass itself.
    return make_settings(
        sql_url,
        FINTECH_ENV="development",
        FINTECH_JOBS_ENABLED="false",
        FINTECH_WEBHOOK_TIMEOUT="2",
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver()


@pytest.fixture
def app(settings: Settings, clock: FakeClock, resolver: FakeResolver) -> Litestar:
    return create_app(settings, FakeSystemProvider(clock), override(HostResolver, resolver))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        await add_members(app)
        yield c


async def register(client, settings: Settings, url: str, events: list[str]) -> dict:
    response = await client.post(
        f"{BASE}/webhook-endpoints",
        json={"url": url, "events": events},
        headers=auth_headers(settings, user_id=OWNER),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def deliveries(client, settings: Settings, endpoint_id: str) -> list[dict]:
    response = await client.get(
        f"{BASE}/webhook-endpoints/{endpoint_id}/deliveries",
        headers=auth_headers(settings, user_id=OWNER),
        params={"limit": "200"},
    )
    assert response.status_code == 200
    return response.json()["items"]


def verify_like_a_merchant(secret: str, request: Received, now: datetime) -> dict:
    """What a merchant's handler does: check the raw body's signature, then parse it."""
    stamp = verify(
        secret, request.headers["fintech-signature"], request.body, 300, now=now.timestamp()
    )
    assert stamp == int(now.timestamp())
    event = json.loads(request.body)
    assert request.headers["fintech-event-id"] == event["id"]
    assert request.headers["content-type"] == "application/json"
    return event


async def dispatcher_of(app: Litestar) -> WebhookDispatcher:
    return await container_of(app).get(WebhookDispatcher)


async def test_every_event_type_arrives_signed_and_verifiable(client, app, settings, clock) -> None:
    with receiving() as receiver:
        endpoint = await register(client, settings, receiver.url, ["*"])
        for n, event_type in enumerate(EVENT_TYPES):
            await record(app, f"evt_{n}", event_type, clock.now(), amount=1999, note="café")
        report = await (await dispatcher_of(app)).run_once()
    assert report.scheduled == len(EVENT_TYPES)
    assert report.delivered == len(EVENT_TYPES)
    received = {}
    for request in receiver.requests:
        assert request.path == "/hooks/fintech"
        event = verify_like_a_merchant(endpoint["secret"], request, clock.now())
        received[event["type"]] = event
    assert set(received) == set(EVENT_TYPES)
    assert received["refund.created"]["data"] == {"id": "4", "amount": 1999, "note": "café"}
    assert received["refund.created"]["merchant_id"] == MERCHANT
    # The body is the event exactly as the events feed lists it.
    listed = await client.get(
        f"{BASE}/events",
        params={"type": "refund.created"},
        headers=auth_headers(settings, user_id=OWNER),
    )
    assert listed.json()["items"][0] == received["refund.created"]
    # A second pass sends nothing more: each (endpoint, event) is owed once.
    again = await (await dispatcher_of(app)).run_once()
    assert (again.scheduled, again.attempted) == (0, 0)
    rows = await deliveries(client, settings, endpoint["id"])
    assert len(rows) == len(EVENT_TYPES)
    assert {r["outcome"] for r in rows} == {"succeeded"}
    assert {r["status_code"] for r in rows} == {200}
    assert {r["next_attempt_at"] for r in rows} == {None}


async def test_a_tampered_body_or_wrong_secret_fails_verification(
    client, app, settings, clock
) -> None:
    from core.domain.webhook_signing import SignatureError

    with receiving() as receiver:
        endpoint = await register(client, settings, receiver.url, ["payment.captured"])
        await record(app, "evt_1", "payment.captured", clock.now(), amount=100)
        await (await dispatcher_of(app)).run_once()
    (request,) = receiver.requests
    header = request.headers["fintech-signature"]
    now = clock.now().timestamp()
    tampered = request.body.replace(b"100", b"999")
    with pytest.raises(SignatureError):
        verify(endpoint["secret"], header, tampered, 300, now=now)
    with pytest.raises(SignatureError):
        verify("whsec_wrong", header, request.body, 300, now=now)
    with pytest.raises(SignatureError):  # a replay ten minutes later
        verify(endpoint["secret"], header, request.body, 300, now=now + 600)


async def test_failed_deliveries_are_retried_with_doubling_backoff_until_accepted(
    client, app, settings, clock
) -> None:
    with receiving(fail_first=3, fail_status=503) as receiver:
        endpoint = await register(client, settings, receiver.url, ["payment.captured"])
        await record(app, "evt_pay_1_captured", "payment.captured", clock.now(), amount=5)
        dispatcher = await dispatcher_of(app)
        start = clock.now()
        await dispatcher.run_once()
        expected_waits = [5.0, 10.0, 20.0]
        for attempt, wait in enumerate(expected_waits, start=1):
            rows = await deliveries(client, settings, endpoint["id"])
            latest = rows[0]
            assert latest["attempt"] == attempt
            assert latest["status_code"] == 503
            assert latest["outcome"] == "http_error"
            due = datetime.fromisoformat(latest["next_attempt_at"])
            waited = (due - clock.now()).total_seconds()
            assert wait * 0.8 <= waited <= wait * 1.2  # jitter of ±20 %
            # Not yet due: nothing is sent.
            clock.advance(waited * 0.5)
            assert (await dispatcher.run_once()).attempted == 0
            clock.advance((due - clock.now()).total_seconds())
            assert (await dispatcher.run_once()).attempted == 1
    assert len(receiver.requests) == 4
    assert [r.answered for r in receiver.requests] == [503, 503, 503, 200]
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1  # the same event every time; only the signature's t moves
    final = receiver.requests[-1]
    verify_like_a_merchant(endpoint["secret"], final, clock.now())
    rows = await deliveries(client, settings, endpoint["id"])
    assert [r["attempt"] for r in rows] == [4, 3, 2, 1]
    assert rows[0]["outcome"] == "succeeded"
    assert rows[0]["next_attempt_at"] is None
    assert {r["event_id"] for r in rows} == {"evt_pay_1_captured"}
    assert 35 * 0.8 <= (clock.now() - start).total_seconds() <= 35 * 1.2


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_receiver_that_was_down_for_a_while_still_gets_every_event(
    client, app, settings, clock
) -> None:
    port = _unused_port()  # nothing listens there until the receiver comes back
    endpoint = await register(
        client, settings, f"http://127.0.0.1:{port}/hooks/fintech", ["payment.authorized"]
    )
    for n in range(3):
        await record(app, f"evt_a{n}", "payment.authorized", clock.now(), n=n)
    dispatcher = await dispatcher_of(app)
    for _ in range(4):  # four rounds of refused connections, minutes apart
        await dispatcher.run_once()
        clock.advance(120)
    rows = await deliveries(client, settings, endpoint["id"])
    assert {r["outcome"] for r in rows} == {"connection_error"}
    assert {r["status_code"] for r in rows} == {None}
    with receiving(port=port) as receiver:
        clock.advance(3600)
        report = await dispatcher.run_once()
    assert report.delivered == 3
    ids = sorted(json.loads(r.body)["id"] for r in receiver.requests)
    assert ids == ["evt_a0", "evt_a1", "evt_a2"]
    for request in receiver.requests:
        verify_like_a_merchant(endpoint["secret"], request, clock.now())


async def test_after_the_horizon_the_delivery_gives_up_and_the_endpoint_is_failing(
    sql_url: str, clock: FakeClock
) -> None:
    settings = make_settings(
        sql_url,
        FINTECH_ENV="development",
        FINTECH_JOBS_ENABLED="false",
        FINTECH_WEBHOOK_HORIZON="60",
        FINTECH_WEBHOOK_BACKOFF_JITTER="0",
    )
    app = create_app(settings, FakeSystemProvider(clock))
    async with AsyncTestClient(app=app) as client:
        await add_members(app)
        with receiving(fail_first=100) as receiver:
            endpoint = await register(client, settings, receiver.url, ["settlement.failed"])
            await record(app, "evt_s1", "settlement.failed", clock.now())
            dispatcher = await dispatcher_of(app)
            await dispatcher.run_once()
            for _ in range(80):
                clock.advance(1)
                await dispatcher.run_once()
        # Attempts at 0, 5, 15 and 35 s; the next (75 s) would fall past the 60 s horizon.
        assert len(receiver.requests) == 4
        rows = await deliveries(client, settings, endpoint["id"])
        assert rows[0]["attempt"] == 4
        assert rows[0]["next_attempt_at"] is None
        listed = await client.get(
            f"{BASE}/webhook-endpoints", headers=auth_headers(settings, user_id=OWNER)
        )
        assert listed.json()["items"][0]["status"] == "failing"

        # A later event that gets through re-enables the endpoint.
        with receiving(port=receiver.port) as back:
            await record(app, "evt_s2", "settlement.failed", clock.now())
            assert (await dispatcher.run_once()).delivered == 1
        assert len(back.requests) == 1
        listed = await client.get(
            f"{BASE}/webhook-endpoints", headers=auth_headers(settings, user_id=OWNER)
        )
        assert listed.json()["items"][0]["status"] == "enabled"


async def test_only_subscribed_types_of_the_own_merchant_after_registration_are_sent(
    client, app, settings, clock
) -> None:
    await record(app, "evt_before", "payment.captured", clock.now() - timedelta(seconds=1))
    with receiving() as receiver:
        await register(client, settings, receiver.url, ["payment.captured", "refund.created"])
        await record(app, "evt_cap", "payment.captured", clock.now())
        await record(app, "evt_void", "payment.voided", clock.now())
        await record(app, "evt_ref", "refund.created", clock.now())
        await record(app, "evt_elsewhere", "payment.captured", clock.now(), merchant_id="mer_x")
        await (await dispatcher_of(app)).run_once()
    assert sorted(json.loads(r.body)["id"] for r in receiver.requests) == ["evt_cap", "evt_ref"]


async def test_deleting_an_endpoint_cancels_what_it_was_still_owed(
    client, app, settings, clock
) -> None:
    with receiving(fail_first=100) as receiver:
        endpoint = await register(client, settings, receiver.url, ["*"])
        await record(app, "evt_1", "payment.failed", clock.now())
        dispatcher = await dispatcher_of(app)
        await dispatcher.run_once()
        assert len(receiver.requests) == 1
        gone = await client.delete(
            f"{BASE}/webhook-endpoints/{endpoint['id']}",
            headers=auth_headers(settings, user_id=OWNER),
        )
        assert gone.status_code == 204
        clock.advance(3600)
        await record(app, "evt_2", "payment.failed", clock.now())
        report = await dispatcher.run_once()
    assert report.attempted == 0
    assert len(receiver.requests) == 1


async def test_a_host_name_is_resolved_through_the_port_and_the_connection_pinned(
    client, app, settings, clock, resolver
) -> None:
    with receiving() as receiver:
        resolver.table["hooks.merchant.test"] = ["127.0.0.1"]
        url = f"http://hooks.merchant.test:{receiver.port}/hooks/fintech"
        endpoint = await register(client, settings, url, ["*"])
        await record(app, "evt_1", "payment.captured", clock.now())
        await (await dispatcher_of(app)).run_once()
    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.merchant.test:{receiver.port}"
    verify_like_a_merchant(endpoint["secret"], request, clock.now())
    # Resolved at registration and again at delivery (DNS rebinding).
    assert resolver.calls.count("hooks.merchant.test") == 2


def _readme_snippet() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    after = readme.split("<!-- webhook-verify-snippet -->", 1)[1]
    return after.split("```python", 1)[1].split("```", 1)[0]


async def test_the_readme_snippet_verifies_a_real_delivery(settings) -> None:
    """A merchant copies the README's function; it accepts our delivery and nothing else."""
    namespace: dict[str, object] = {}
    exec(compile(_readme_snippet(), "README.md", "exec"), namespace)  # noqa: S102
    check = namespace["verify_fintech_signature"]
    assert callable(check)
    real = FakeClock(datetime.now(UTC))  # the snippet reads the real time, like a merchant
    app = create_app(settings, FakeSystemProvider(real))
    async with AsyncTestClient(app=app) as live:
        await add_members(app)
        with receiving() as receiver:
            created = await live.post(
                f"{BASE}/webhook-endpoints",
                json={"url": receiver.url, "events": ["*"]},
                headers=auth_headers(settings, user_id=OWNER, clock=real),
            )
            secret = created.json()["secret"]
            await record(app, "evt_readme", "payment.voided", real.now())
            await (await dispatcher_of(app)).run_once()
    (request,) = receiver.requests
    header = request.headers["fintech-signature"]
    assert check(secret, header, request.body) is True
    assert check(secret, header, request.body + b" ") is False
    assert check("whsec_other", header, request.body) is False
