"""What other areas report reaches ``/metrics``: idempotent replays, recovery actions and
calls to providers (through ``ObservedTransport``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from core.domain.errors import DomainError
from core.services.recovery import RecoveryService
from entrypoints.http.app import create_app
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.tracing import Tracing
from entrypoints.providers.banking import build_bank_clients
from ports.sql import SqlExecutor
from tests.alphavantage_stub import serve_alphavantage
from tests.auth import auth_headers
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider
from tests.integration.test_observability import metric_value

pytestmark = pytest.mark.anyio

USER = "usr_00000000000000000000000001"
PAYMENTS = "POST /v1/merchants/{merchant_id}/payments"


async def test_replays_and_recovery_actions_are_counted_at_metrics(sql_url: str) -> None:
    settings = make_settings(sql_url)
    system = FakeSystemProvider()
    app = create_app(settings, system)
    headers = auth_headers(settings, user_id=USER)
    async with AsyncTestClient(app=app) as client:
        merchant = (
            await client.post(
                "/v1/merchants", json={"name": "M", "default_currency": "USD"}, headers=headers
            )
        ).json()["id"]
        path = f"/v1/merchants/{merchant}/payments"
        body = {"amount": 1_000, "currency": "USD", "capture": False}
        for _ in range(3):
            answer = await client.post(
                path, json=body, headers={**headers, "Idempotency-Key": "k1"}
            )
            assert answer.status_code == 201
        # A payment a crash left pending: recovery fails it once the grace period is over.
        container = app.state.dishka_container
        sql = await container.get(SqlExecutor)
        await sql.execute(
            "UPDATE payments SET status = 'pending' WHERE id = ?", (answer.json()["id"],)
        )
        system.fake_clock.advance(3600)
        report = await (await container.get(RecoveryService)).run()
        assert [a[2] for a in report.actions] == ["failed"]
        text = (await client.get("/metrics")).text
    assert metric_value(text, "idempotent_replays_total", operation=PAYMENTS) == 2
    assert metric_value(text, "recovery_actions_total", workflow="payment", action="failed") == 1


async def test_an_alpha_vantage_call_shows_at_metrics(shared_dir: Path, sql_url: str) -> None:
    with serve_alphavantage(shared_dir) as (url, _stub):
        settings = make_settings(
            sql_url, ALPHAVANTAGE_API_KEY="test-av-key", ALPHAVANTAGE_BASE_URL=url
        )
        app = create_app(settings, FakeSystemProvider())
        async with AsyncTestClient(app=app) as client:
            quote = await client.get("/v1/market/quotes/MSFT", headers=auth_headers(settings))
            broken = await client.get("/v1/market/quotes/BROKEN", headers=auth_headers(settings))
            text = (await client.get("/metrics")).text
    assert quote.status_code == 200
    assert broken.status_code >= 500
    labels = {"provider": "alphavantage", "operation": "GET /query"}
    assert metric_value(text, "provider_calls_total", **labels) >= 2
    assert metric_value(text, "provider_call_duration_seconds_count", **labels) >= 2
    # The key travels in the query string and never reaches a label.
    assert "test-av-key" not in text


@pytest.fixture
def plaid_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A loopback stand-in answering every Plaid call with an INVALID_INPUT error."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append({k.lower(): v for k, v in self.headers.items()})
            body = json.dumps(
                {
                    "error_type": "INVALID_INPUT",
                    "error_code": "INVALID_API_KEYS",
                    "error_message": "invalid client_id or secret provided",
                    "request_id": "req1",
                }
            ).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


async def test_a_plaid_call_is_observed_with_metrics(
    sql_url: str, plaid_server: tuple[str, list[dict[str, str]]]
) -> None:
    url, seen = plaid_server
    settings = make_settings(
        sql_url, PLAID_CLIENT_ID="client-1", PLAID_SECRET="secret-1", PLAID_BASE_URL=url
    )
    metrics = Metrics()
    clients = build_bank_clients(settings, FakeClock(), metrics, Tracing())
    assert clients.plaid is not None
    try:
        with pytest.raises(DomainError):
            await clients.plaid.create_link(USER)
    finally:
        await clients.aclose()
    text = metrics.exposition().decode()
    labels = {"provider": "plaid", "operation": "POST /link/token/create"}
    assert metric_value(text, "provider_calls_total", **labels) >= 1
    assert metric_value(text, "provider_call_errors_total", **labels, error="http_4xx") >= 1
    assert len(seen) == metric_value(text, "provider_calls_total", **labels)
    assert "secret-1" not in text
