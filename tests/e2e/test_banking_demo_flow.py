"""API.md's demo bank flow against a real `fintech serve` process on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.security.tokens import JwtAccessTokens
from adapters.system import SystemClock
from core.domain.identity import Principal
from tests.conftest import TEST_KEYS, TEST_SECRET
from tests.serving import serving


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FINTECH_", "TELLER_", "PLAID_"))
    }
    env.update(
        FINTECH_ENV="development",
        FINTECH_SQL_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
        FINTECH_SECRET_KEY=TEST_SECRET,
        FINTECH_ENCRYPTION_KEYS=TEST_KEYS,
        FINTECH_LOG_LEVEL="WARNING",
        FINTECH_JOBS_ENABLED="false",
    )
    with serving(env, tmp_path) as base:
        yield base


def test_the_demo_bank_flow_over_real_http(server: str) -> None:
    tokens = JwtAccessTokens(
        key=TEST_SECRET.encode(),
        issuer="fintech",
        audience="fintech-api",
        ttl_seconds=600,
        clock=SystemClock(),
    )
    token = tokens.issue(Principal(user_id="usr_e2e")).token
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.post("/v1/banking/link", json={}).json()["link_token"]
        connection = client.post("/v1/banking/exchange", json={"public_token": "demo-e2e"})
        assert connection.status_code == 201
        connection_id = connection.json()["id"]
        accounts = client.get("/v1/banking/accounts", params={"connection_id": connection_id})
        assert len(accounts.json()["items"]) == 3
        page = client.get(
            "/v1/banking/transactions",
            params={"category": "groceries", "sort_by": "amount", "sort_order": "asc"},
        ).json()
        amounts = [Decimal(t["amount"]) for t in page["items"]]
        assert amounts
        assert amounts == sorted(amounts)
        assert {t["category"] for t in page["items"]} == {"groceries"}
        assert client.post("/v1/banking/balance-snapshots", json={}).status_code == 201
        history = client.get(
            "/v1/banking/balance-history",
            params={"account_id": accounts.json()["items"][0]["id"]},
        )
        assert history.json()["count"] == 1
        assert client.delete(f"/v1/banking/connections/{connection_id}").status_code == 204
        assert client.get("/v1/banking/connections").json()["items"] == []
