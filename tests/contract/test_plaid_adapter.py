"""The Plaid adapter against Plaid's OpenAPI document: every request body is validated
against its request schema, and responses are the document's own examples."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from adapters.banking.http import RetryPolicy
from adapters.banking.plaid import PLAID_VERSION, PlaidBank
from core.domain.banking import (
    CATEGORIES,
    BankProviderError,
    BankProviderRateLimited,
    ConnectionRequiresRelink,
    InvalidPublicToken,
)
from tests.fakes import FakeClock
from tests.plaid_spec import response_example, security_headers, validate_request

pytestmark = pytest.mark.anyio


@pytest.fixture
def spec(shared_dir: Path) -> Path:
    return shared_dir / "contracts" / "plaid-openapi.yml"


class FakePlaid:
    """Validates each request against the spec, answers with the spec's example (or a script)."""

    def __init__(self, spec: Path) -> None:
        self.spec = spec
        self.calls: list[tuple[str, dict[str, Any], httpx.Headers]] = []
        self.scripted: dict[str, list[httpx.Response]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        route = request.url.path
        body = json.loads(request.content)
        validate_request(self.spec, route, body)
        self.calls.append((route, body, request.headers))
        if self.scripted.get(route):
            queue = self.scripted[route]
            return queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(200, json=response_example(self.spec, route))


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def fake(spec: Path) -> FakePlaid:
    return FakePlaid(spec)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def plaid(fake: FakePlaid, sleeps: Sleeps) -> PlaidBank:
    return PlaidBank(
        client_id="client-id-123",
        secret="secret-456",
        clock=FakeClock(),
        base_url="https://sandbox.plaid.test",
        policy=RetryPolicy(attempts=3, base_delay=0.001, max_delay=5),
        sleep=sleeps,
        transport=httpx.MockTransport(fake),
    )


def plaid_error(status: int, error_type: str, code: str, **headers: str) -> httpx.Response:
    body = {
        "error_type": error_type,
        "error_code": code,
        "error_message": "message",
        "display_message": None,
        "request_id": "req123",
    }
    return httpx.Response(status, json=body, headers=headers)


def test_the_spec_validator_refuses_an_invented_field(spec: Path) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_request(spec, "/accounts/get", {"access_token": "a", "acess_token": "typo"})
    with pytest.raises(jsonschema.ValidationError):
        validate_request(spec, "/transactions/get", {"access_token": "a"})


async def test_credentials_and_version_travel_in_the_spec_security_headers(
    spec: Path, plaid: PlaidBank, fake: FakePlaid
) -> None:
    await plaid.accounts("access-sandbox-1")
    _, body, headers = fake.calls[0]
    assert security_headers(spec) == ["PLAID-CLIENT-ID", "PLAID-SECRET", "Plaid-Version"]
    assert headers["PLAID-CLIENT-ID"] == "client-id-123"
    assert headers["PLAID-SECRET"] == "secret-456"
    assert headers["Plaid-Version"] == PLAID_VERSION == "2020-09-14"
    assert "secret" not in body
    assert "client_id" not in body


async def test_link_token_is_created_with_a_valid_request(
    plaid: PlaidBank, fake: FakePlaid
) -> None:
    link = await plaid.create_link("usr_1")
    assert link.link_token == "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176"
    assert link.expires_at.year == 2020
    assert fake.calls[0][1]["user"] == {"client_user_id": "usr_1"}


async def test_exchange_returns_the_item_and_its_institution(
    plaid: PlaidBank, fake: FakePlaid
) -> None:
    exchanged = await plaid.exchange("public-sandbox-abc")
    assert exchanged.access_token.startswith("access-sandbox-")
    assert exchanged.external_id == "M5eVJqLnv3tbzdngLDp9FL5OlDNxlNhlE55op"
    assert exchanged.institution_name == "Royal Bank of Plaid"
    assert [c[0] for c in fake.calls] == ["/item/public_token/exchange", "/accounts/get"]


async def test_an_invalid_public_token_is_a_400_code(plaid: PlaidBank, fake: FakePlaid) -> None:
    fake.scripted["/item/public_token/exchange"] = [
        plaid_error(400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN")
    ]
    with pytest.raises(InvalidPublicToken):
        await plaid.exchange("public-sandbox-stale")


async def test_accounts_and_balances_parse_the_examples_exactly(plaid: PlaidBank) -> None:
    accounts = await plaid.accounts("access")
    assert [a.subtype for a in accounts] == ["checking", "401k", "student"]
    balances = await plaid.balances("access")
    assert balances[0].current == Decimal("110")
    assert balances[0].available == Decimal("100")
    assert all(b.currency == "USD" for b in balances)


async def test_transactions_flip_plaid_signs_and_map_categories(plaid: PlaidBank) -> None:
    records = await plaid.transactions("access", date(2023, 9, 1), date(2023, 9, 30))
    burger = next(r for r in records if r.merchant_name == "Burger King")
    assert burger.amount == Decimal("-28.34")  # Plaid: 28.34 = money out
    assert burger.category == "dining"
    assert burger.pending is True
    assert {r.category for r in records} <= CATEGORIES


async def test_transactions_follow_offset_paging(plaid: PlaidBank, fake: FakePlaid, spec) -> None:
    page = response_example(spec, "/transactions/get")
    first, second = dict(page), dict(page)
    first["total_transactions"] = second["total_transactions"] = 4
    second["transactions"] = [
        {**t, "transaction_id": t["transaction_id"] + "x"} for t in page["transactions"]
    ]
    fake.scripted["/transactions/get"] = [
        httpx.Response(200, json=first),
        httpx.Response(200, json=second),
    ]
    records = await plaid.transactions("access", date(2023, 1, 1), date(2023, 12, 31))
    offsets = [c[1]["options"]["offset"] for c in fake.calls if c[0] == "/transactions/get"]
    assert offsets == [0, 2]
    assert len(records) == 4


async def test_identity_and_item_removal_use_valid_requests(
    plaid: PlaidBank, fake: FakePlaid
) -> None:
    [owner] = await plaid.identity("access")
    assert owner.names == ("Alberta Bobbeth Charleson",)
    assert "accountholder0@example.com" in owner.emails
    assert owner.addresses[0] == "2992 Cameron Road, Malakoff, NY, 14236, US"
    await plaid.revoke("access")
    assert fake.calls[-1][0] == "/item/remove"


async def test_item_login_required_means_relink(plaid: PlaidBank, fake: FakePlaid) -> None:
    fake.scripted["/accounts/get"] = [plaid_error(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED")]
    with pytest.raises(ConnectionRequiresRelink):
        await plaid.accounts("access")


async def test_rate_limits_retry_then_surface_with_retry_after(
    plaid: PlaidBank, fake: FakePlaid, sleeps: Sleeps
) -> None:
    fake.scripted["/accounts/get"] = [
        plaid_error(429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", **{"Retry-After": "1"})
    ]
    with pytest.raises(BankProviderRateLimited) as caught:
        await plaid.accounts("access")
    assert caught.value.retry_after == 1
    assert caught.value.code == "provider_rate_limited"
    assert sleeps.waits == [1.0, 1.0]
    assert len(fake.calls) == 3


async def test_a_transient_failure_is_retried_and_recovers(
    plaid: PlaidBank, fake: FakePlaid, spec: Path
) -> None:
    fake.scripted["/accounts/get"] = [
        plaid_error(500, "API_ERROR", "INTERNAL_SERVER_ERROR"),
        httpx.Response(200, json=response_example(spec, "/accounts/get")),
    ]
    assert len(await plaid.accounts("access")) == 3


async def test_other_errors_are_provider_errors(plaid: PlaidBank, fake: FakePlaid) -> None:
    fake.scripted["/accounts/get"] = [plaid_error(400, "INVALID_REQUEST", "MISSING_FIELDS")]
    with pytest.raises(BankProviderError):
        await plaid.accounts("access")


async def test_the_webhook_key_is_fetched_by_kid(plaid: PlaidBank, fake: FakePlaid) -> None:
    key = await plaid.webhook_key("bfbd5111-8e33-4643-8ced-b2e642a72f3c")
    assert key["alg"] == "ES256"
    assert fake.calls[0][1] == {"key_id": "bfbd5111-8e33-4643-8ced-b2e642a72f3c"}
