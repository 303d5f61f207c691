"""Faults inside a dispatcher pass stay contained to the delivery they hit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.security.sealed_secrets import AesGcmSealer
from adapters.sql.events import SqlEventLog
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from adapters.sql.webhooks import SqlWebhookEndpoints
from adapters.webhooks.transport import GuardedWebhookTransport
from core.domain.webhooks import EndpointStatus, WebhookEndpoint
from ports.events import Event
from tests.fakes import FakeClock
from tests.faults.test_webhook_races import KEYS, dispatcher
from tests.webhook_support import FakeResolver, receiving

pytestmark = pytest.mark.anyio


async def test_a_secret_no_key_opens_fails_its_delivery_only(tmp_path: Path) -> None:
    executor = SqliteExecutor(str(tmp_path / "faults.db"))
    clock = FakeClock()
    transport = GuardedWebhookTransport(resolver=FakeResolver(), timeout=2, allow_insecure=True)
    try:
        await Migrator(executor).migrate()
        with receiving() as receiver:
            endpoints = SqlWebhookEndpoints(executor)
            for endpoint_id, keys in (("whe_lost", [("gone", b"g" * 32)]), ("whe_ok", KEYS)):
                hook = WebhookEndpoint(
                    endpoint_id,
                    "mer_1",
                    receiver.url,
                    ("*",),
                    EndpointStatus.ENABLED,
                    clock.now(),
                )
                await endpoints.add(hook, AesGcmSealer(keys).seal("whsec", endpoint_id))
            await SqlEventLog(executor).record(
                Event("evt_1", "payment.captured", "mer_1", clock.now(), {})
            )
            report = await dispatcher(executor, transport, clock, "a").run_once()
        assert (report.scheduled, report.delivered, report.errors) == (2, 1, 1)
        assert report.last_error is not None
        assert "SealedSecretError" in report.last_error
        assert "whsec" not in report.last_error
        assert [json.loads(r.body)["id"] for r in receiver.requests] == ["evt_1"]
        # The broken row stays claimed until its lease lapses, then is tried again.
        clock.advance(61)
        again = await dispatcher(executor, transport, clock, "b").run_once()
        assert again.errors == 1
    finally:
        await transport.aclose()
        await executor.close()
