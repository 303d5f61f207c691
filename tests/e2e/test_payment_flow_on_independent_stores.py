"""The whole payment flow, unchanged, on a store server the service does not own.

``fintech migrate``, ``fintech serve`` and the operator commands run as separate processes
pointed at a server that only speaks the store's protocol: the SQL-over-HTTP test server
(``POST /execute``, in both params modes) or a PostgreSQL cluster. The HTTP client is an API
user: register, log in, open a merchant, take, capture, void and refund payments with
idempotency keys, settle; then the operator verifies the ledger and runs recovery.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_cli import _env, run
from tests.pg_cluster import ClusterUnavailable, shared_cluster
from tests.serving import serving
from tests.sqlhttp_server import SqlHttpServer, running

STORES = [
    "elixir-params",
    "elixir-inline",
    pytest.param("postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[tuple[str, SqlHttpServer | None]]:
    """A ``FINTECH_SQL_URL`` on an independent server, and that server when it is ours."""
    if request.param == "postgresql":
        try:
            cluster = shared_cluster()
        except ClusterUnavailable as exc:
            pytest.skip(f"PostgreSQL store: {exc}")
        yield cluster.new_schema(), None
        return
    inline = request.param == "elixir-inline"
    with running(refuse_params=inline) as server:
        yield server.url(uuid.uuid4().hex, inline=inline), server


@pytest.fixture
def service(tmp_path: Path, store: tuple[str, SqlHttpServer | None]) -> Iterator[str]:
    url, _ = store
    migrated = run(tmp_path, "migrate", FINTECH_SQL_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    env = _env(
        tmp_path,
        FINTECH_SQL_URL=url,
        FINTECH_AUTO_MIGRATE="false",
        FINTECH_JOBS_ENABLED="false",
    )
    with serving(env, tmp_path) as base:
        yield base


def _login(client: httpx.Client) -> None:
    credentials = {"email": "owner@example.com", "password": "correct horse battery"}
    assert client.post("/v1/auth/register", json=credentials).status_code == 201
    login = client.post("/v1/auth/login", json=credentials)
    assert login.status_code == 200
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"


def _post(client: httpx.Client, path: str, key: str, body: dict[str, object]) -> httpx.Response:
    return client.post(path, json=body, headers={"Idempotency-Key": key})


def test_the_payment_flow_runs_unchanged_on_an_independent_store(
    service: str, store: tuple[str, SqlHttpServer | None], tmp_path: Path
) -> None:
    url, server = store
    with httpx.Client(base_url=service, timeout=30) as client:
        _login(client)
        merchant = client.post("/v1/merchants", json={"name": "Shop", "default_currency": "USD"})
        assert merchant.status_code == 201
        base = f"/v1/merchants/{merchant.json()['id']}"

        sale = _post(client, f"{base}/payments", "sale-1", {"amount": 10_000, "currency": "USD"})
        assert sale.status_code == 201
        assert sale.json()["status"] == "captured"
        replay = _post(client, f"{base}/payments", "sale-1", {"amount": 10_000, "currency": "USD"})
        assert replay.headers.get("Idempotent-Replayed") == "true"
        assert replay.content == sale.content
        reused = _post(client, f"{base}/payments", "sale-1", {"amount": 1, "currency": "USD"})
        assert reused.status_code == 422

        hold = {"amount": 5_000, "currency": "USD", "capture": False}
        held = _post(client, f"{base}/payments", "hold-1", hold)
        assert held.json()["status"] == "authorized"
        held_id = held.json()["id"]
        captured = _post(client, f"{base}/payments/{held_id}/capture", "cap-1", {"amount": 3_000})
        assert captured.status_code == 200
        assert captured.json()["captured_amount"] == 3_000
        refund = _post(client, f"{base}/payments/{held_id}/refunds", "ref-1", {"amount": 1_000})
        assert refund.status_code == 201
        over = _post(client, f"{base}/payments/{held_id}/refunds", "ref-2", {"amount": 2_001})
        assert over.status_code == 409

        voided = _post(client, f"{base}/payments", "hold-2", {**hold, "amount": 700})
        void = _post(client, f"{base}/payments/{voided.json()['id']}/void", "void-1", {})
        assert void.json()["status"] == "voided"

        fees = sale.json()["fee_amount"] + captured.json()["fee_amount"]
        expected = 10_000 + 3_000 - 1_000 - fees
        [balance] = client.get(f"{base}/balance").json()["balances"]
        assert balance["available"] == expected
        settlement = _post(client, f"{base}/settlements", "settle-1", {"currency": "USD"})
        assert settlement.status_code == 201
        assert settlement.json()["amount"] == expected
        assert settlement.json()["status"] == "paid"
        again = _post(client, f"{base}/settlements", "settle-2", {"currency": "USD"})
        assert again.status_code == 409
        assert again.json()["code"] == "nothing_to_settle"
        [balance] = client.get(f"{base}/balance").json()["balances"]
        assert balance["available"] == 0
        kinds = [t["kind"] for t in client.get(f"{base}/ledger").json()["items"]]
        assert kinds.count("capture") == 2
        types = {e["type"] for e in client.get(f"{base}/events").json()["items"]}
        assert {"payment.captured", "payment.voided", "refund.created", "settlement.paid"} <= types

    verified = run(tmp_path, "verify-ledger", "--json", FINTECH_SQL_URL=url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True
    recovered = run(tmp_path, "recover", FINTECH_SQL_URL=url)
    assert recovered.returncode == 0, recovered.stderr
    settled = run(tmp_path, "settle", "--all", "--json", FINTECH_SQL_URL=url)
    assert settled.returncode == 0, settled.stderr
    assert all(row["status"] != "paid" for row in json.loads(settled.stdout))
    if server is not None:  # every statement really went over the protocol to that server
        assert server.executions("INSERT INTO ledger_transfers") >= 3
        assert server.executions("INSERT INTO payments") == 3
