"""The BankAggregator contract, run against every adapter (demo; Teller over real mTLS;
Plaid over its OpenAPI examples)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.banking.demo import DemoBank
from adapters.banking.http import RetryPolicy
from adapters.banking.plaid import PlaidBank
from adapters.banking.teller import TellerBank
from adapters.banking.teller_tls import build_ssl_context
from core.domain.banking import CATEGORIES, InvalidPublicToken
from ports.bank_aggregation import BankAggregator
from tests.fakes import FakeClock
from tests.plaid_spec import response_example, validate_request
from tests.tls import FakeTeller, json_response, load_http, make_pki, mtls_server

pytestmark = pytest.mark.anyio

CREDIT = "acc_oiin624kqjrg2mp2ea000"
START, END = date(2000, 1, 1), date(2100, 1, 1)


async def _no_sleep(_: float) -> None:
    return None


async def demo(stack: AsyncExitStack, shared: Path, tmp: Path) -> tuple[BankAggregator, str]:
    bank = DemoBank(FakeClock())
    return bank, (await bank.exchange("demo-contract")).access_token


async def teller(stack: AsyncExitStack, shared: Path, tmp: Path) -> tuple[BankAggregator, str]:
    recorded = shared / "contracts" / "teller"
    pki = make_pki(tmp / "pki")
    single = json.loads(load_http(recorded / f"accounts_{CREDIT}.http").body)
    fake = FakeTeller(tokens=frozenset({"token"}))
    fake.routes["/accounts"] = json_response(200, [single])
    fake.routes[f"/accounts/{CREDIT}/balances"] = load_http(
        recorded / f"accounts_{CREDIT}_balances.http"
    )
    fake.paged[f"/accounts/{CREDIT}/transactions"] = json.loads(
        load_http(recorded / f"accounts_{CREDIT}_transactions.http").body
    )
    address = {"street": "1 Main St", "city": "X", "region": "CA", "postal_code": "1"}
    owner = {
        "type": "person",
        "names": [{"type": "name", "data": "A B"}],
        "emails": [{"data": "a@example.com"}],
        "phone_numbers": [{"type": "mobile", "data": "1"}],
        "addresses": [{"primary": True, "data": address}],
    }
    fake.routes["/identity"] = json_response(200, [{"account": single, "owners": [owner]}])
    url = stack.enter_context(mtls_server(pki, fake))
    bank = TellerBank(
        ssl_context=build_ssl_context(str(pki.client_cert), str(pki.client_key), str(pki.ca)),
        clock=FakeClock(),
        base_url=url,
        policy=RetryPolicy(attempts=1),
        sleep=_no_sleep,
    )
    stack.push_async_callback(bank.aclose)
    return bank, "token"


async def plaid(stack: AsyncExitStack, shared: Path, tmp: Path) -> tuple[BankAggregator, str]:
    spec = shared / "contracts" / "plaid-openapi.yml"

    def handler(request: httpx.Request) -> httpx.Response:
        body: Any = json.loads(request.content)
        validate_request(spec, request.url.path, body)
        if request.url.path == "/item/public_token/exchange" and body["public_token"] == "bad":
            return httpx.Response(
                400,
                json={"error_type": "INVALID_INPUT", "error_code": "INVALID_PUBLIC_TOKEN",
                      "error_message": "bad", "display_message": None, "request_id": "r"},
            )  # fmt: skip
        return httpx.Response(200, json=response_example(spec, request.url.path))

    bank = PlaidBank(
        client_id="id",
        secret="secret",
        clock=FakeClock(),
        base_url="https://sandbox.plaid.test",
        policy=RetryPolicy(attempts=1),
        sleep=_no_sleep,
        transport=httpx.MockTransport(handler),
    )
    stack.push_async_callback(bank.aclose)
    return bank, "access-sandbox-x"


@pytest.fixture(params=[demo, teller, plaid], ids=["demo", "teller", "plaid"])
async def adapter(
    request: pytest.FixtureRequest, shared_dir: Path, tmp_path: Path
) -> AsyncIterator[tuple[BankAggregator, str]]:
    async with AsyncExitStack() as stack:
        yield await request.param(stack, shared_dir, tmp_path)


async def test_accounts_have_unique_ids_and_iso_currencies(adapter) -> None:
    bank, token = adapter
    accounts = await bank.accounts(token)
    assert accounts
    assert len({a.provider_account_id for a in accounts}) == len(accounts)
    assert all(len(a.currency) == 3 and a.currency.isupper() for a in accounts)
    assert all(a.name and a.type and a.institution_name for a in accounts)


async def test_balances_are_decimals(adapter) -> None:
    bank, token = adapter
    balances = await bank.balances(token)
    assert balances
    for b in balances:
        assert b.current is None or isinstance(b.current, Decimal)
        assert b.available is None or isinstance(b.available, Decimal)


async def test_transactions_are_in_range_signed_and_categorised(adapter) -> None:
    bank, token = adapter
    records = await bank.transactions(token, START, END)
    assert records
    assert all(START <= r.date <= END for r in records)
    assert all(isinstance(r.amount, Decimal) for r in records)
    assert {r.category for r in records} <= CATEGORIES
    assert any(r.amount < 0 for r in records)  # money out is negative everywhere
    assert len({r.provider_transaction_id for r in records}) == len(records)


async def test_an_empty_range_has_no_transactions(adapter) -> None:
    bank, token = adapter
    day = date(1990, 1, 1)
    assert await bank.transactions(token, day, day + timedelta(days=1)) == []


async def test_identity_lists_owners(adapter) -> None:
    bank, token = adapter
    owners = await bank.identity(token)
    assert owners
    assert all(o.names for o in owners)


async def test_a_bad_public_token_is_refused(adapter) -> None:
    bank, _ = adapter
    with pytest.raises(InvalidPublicToken):
        await bank.exchange("bad")
