"""The Teller adapter over real mutual TLS on loopback, serving Teller's recorded responses."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.banking.http import RetryPolicy
from adapters.banking.teller import TellerBank
from adapters.banking.teller_tls import (
    TellerCertificateError,
    build_ssl_context,
    inspect_certificate,
)
from core.domain.banking import (
    CATEGORIES,
    BankProviderError,
    BankProviderRateLimited,
    ConnectionRequiresRelink,
    InvalidPublicToken,
)
from tests.fakes import FakeClock
from tests.tls import (
    FakeTeller,
    Pki,
    json_response,
    load_http,
    make_pki,
    mtls_server,
    write_other_key,
)

pytestmark = pytest.mark.anyio

CREDIT = "acc_oiin624kqjrg2mp2ea000"
TOKEN = "test_token_abc123"


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def recorded(shared_dir: Path) -> dict[str, object]:
    teller = shared_dir / "contracts" / "teller"
    single = load_http(teller / f"accounts_{CREDIT}.http")
    return {
        "accounts": load_http(teller / "accounts.http"),
        "single": single,
        "balances": load_http(teller / f"accounts_{CREDIT}_balances.http"),
        "details": load_http(teller / f"accounts_{CREDIT}_details.http"),
        "transactions": json.loads(load_http(teller / f"accounts_{CREDIT}_transactions.http").body),
    }


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def bank(pki: Pki, url: str, *, with_cert: bool = True, sleep: Sleeps | None = None) -> TellerBank:
    context = build_ssl_context(
        str(pki.client_cert) if with_cert else None,
        str(pki.client_key) if with_cert else None,
        str(pki.ca),
    )
    return TellerBank(
        ssl_context=context,
        clock=FakeClock(),
        base_url=url,
        policy=RetryPolicy(attempts=3, base_delay=0.001, max_delay=5),
        sleep=sleep or Sleeps(),
        page_size=40,
        client_certificate=with_cert,
    )


@pytest.fixture
def single_account(recorded: dict[str, object]) -> FakeTeller:
    """One recorded credit account, its recorded balances and its 136 recorded transactions."""
    single = recorded["single"]
    fake = FakeTeller()
    fake.routes["/accounts"] = json_response(200, [json.loads(single.body)])  # type: ignore[attr-defined]
    fake.routes[f"/accounts/{CREDIT}/balances"] = recorded["balances"]  # type: ignore[assignment]
    fake.paged[f"/accounts/{CREDIT}/transactions"] = recorded["transactions"]  # type: ignore[assignment]
    return fake


@pytest.fixture
def served(pki: Pki, single_account: FakeTeller) -> Iterator[str]:
    with mtls_server(pki, single_account) as url:
        yield url


async def test_accounts_parse_the_recorded_list_over_mtls(pki: Pki, recorded) -> None:
    fake = FakeTeller(routes={"/accounts": recorded["accounts"]})
    with mtls_server(pki, fake) as url:
        client = bank(pki, url)
        accounts = await client.accounts(TOKEN)
        await client.aclose()
    assert [(a.type, a.subtype, a.mask) for a in accounts] == [
        ("credit", "credit_card", "7857"),
        ("depository", "checking", "7346"),
        ("depository", "savings", "3528"),
    ]
    assert {a.institution_name for a in accounts} == {"Security Credit Union"}
    _, _, headers, peer = fake.requests[0]
    assert peer == "fintech-teller-client"  # the server saw our client certificate
    expected = base64.b64encode(f"{TOKEN}:".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"


async def test_balances_map_ledger_to_current(pki: Pki, served: str) -> None:
    client = bank(pki, served)
    [balance] = await client.balances(TOKEN)
    await client.aclose()
    assert balance.current == Decimal("4698.93")
    assert balance.available == Decimal("301.07")


async def test_transactions_follow_count_and_from_id_paging(
    pki: Pki, served: str, single_account: FakeTeller, recorded
) -> None:
    client = bank(pki, served)
    records = await client.transactions(TOKEN, date(2000, 1, 1), date(2100, 1, 1))
    await client.aclose()
    assert len(records) == len(recorded["transactions"]) == 136
    pages = [t for m, t, _, _ in single_account.requests if "/transactions" in t]
    assert len(pages) == 4  # 40 + 40 + 40 + 16
    assert "from_id=" not in pages[0]
    assert f"from_id={recorded['transactions'][39]['id']}" in pages[1]


async def test_credit_card_purchases_become_negative_and_credits_positive(
    pki: Pki, served: str
) -> None:
    client = bank(pki, served)
    records = await client.transactions(TOKEN, date(2000, 1, 1), date(2100, 1, 1))
    await client.aclose()
    by_id = {r.provider_transaction_id: r for r in records}
    purchase = by_id["txn_oj0t0gfqpvj7favgn8000"]  # Williams-Sonoma, "96.95" at Teller
    assert purchase.amount == Decimal("-96.95")
    assert purchase.pending is True
    assert purchase.merchant_name == "Williams-Sonoma"
    assert purchase.category == "shopping"
    dispute = by_id["txn_oivjp9hj4ehluicvse003"]  # "Dispute Credit", "-303.33" at Teller
    assert dispute.amount == Decimal("303.33")
    assert dispute.category == "travel"
    assert {r.category for r in records} <= CATEGORIES


async def test_a_date_range_is_sent_and_respected(pki: Pki, served: str, single_account) -> None:
    client = bank(pki, served)
    records = await client.transactions(TOKEN, date(2023, 7, 1), date(2023, 7, 31))
    await client.aclose()
    assert records
    assert all(date(2023, 7, 1) <= r.date <= date(2023, 7, 31) for r in records)
    first = next(t for _, t, _, _ in single_account.requests if "/transactions" in t)
    assert "start_date=2023-07-01" in first
    assert "end_date=2023-07-31" in first


async def test_a_client_without_the_certificate_fails_clearly(pki: Pki, served: str) -> None:
    client = bank(pki, served, with_cert=False)
    with pytest.raises(BankProviderError) as caught:
        await client.accounts(TOKEN)
    await client.aclose()
    assert "client certificate" in caught.value.detail


@pytest.mark.parametrize(
    "code",
    [
        "enrollment.disconnected",
        "enrollment.disconnected.credentials_invalid",
        "enrollment.disconnected.user_action.mfa_required",
    ],
)
async def test_a_disconnected_enrollment_requires_relink(pki: Pki, code: str) -> None:
    fake = FakeTeller(
        routes={"/accounts": json_response(403, {"error": {"code": code, "message": "x"}})}
    )
    with mtls_server(pki, fake) as url:
        client = bank(pki, url)
        with pytest.raises(ConnectionRequiresRelink) as caught:
            await client.accounts(TOKEN)
        await client.aclose()
    assert caught.value.code == "connection_requires_relink"


async def test_rate_limits_are_retried_honouring_retry_after(pki: Pki) -> None:
    limited = json_response(429, {"error": {"code": "rate_limited", "message": "slow"}})
    limited.headers["retry-after"] = "2"
    ok = json_response(200, [])
    fake = FakeTeller(routes={"/accounts": [limited, ok]})
    sleeps = Sleeps()
    with mtls_server(pki, fake) as url:
        client = bank(pki, url, sleep=sleeps)
        assert await client.accounts(TOKEN) == []
        await client.aclose()
    assert sleeps.waits == [2.0]


async def test_persistent_rate_limits_end_as_503_with_retry_after(pki: Pki) -> None:
    limited = json_response(429, {"error": {"code": "rate_limited", "message": "slow"}})
    limited.headers["retry-after"] = "120"  # longer than the bound: not waited for
    fake = FakeTeller(routes={"/accounts": limited})
    sleeps = Sleeps()
    with mtls_server(pki, fake) as url:
        client = bank(pki, url, sleep=sleeps)
        with pytest.raises(BankProviderRateLimited) as caught:
            await client.accounts(TOKEN)
        await client.aclose()
    assert caught.value.retry_after == 120
    assert sleeps.waits == []
    assert len(fake.requests) == 1


async def test_bank_failures_are_retried_a_bounded_number_of_times(pki: Pki) -> None:
    fake = FakeTeller(
        routes={"/accounts": json_response(502, {"error": {"code": "bank", "message": "down"}})}
    )
    sleeps = Sleeps()
    with mtls_server(pki, fake) as url:
        client = bank(pki, url, sleep=sleeps)
        with pytest.raises(BankProviderError):
            await client.accounts(TOKEN)
        await client.aclose()
    assert len(fake.requests) == 3
    assert len(sleeps.waits) == 2


async def test_exchange_keeps_the_enrollment_and_refuses_a_bad_token(pki: Pki, recorded) -> None:
    fake = FakeTeller(routes={"/accounts": recorded["accounts"]})
    with mtls_server(pki, fake) as url:
        client = bank(pki, url)
        exchanged = await client.exchange(TOKEN)
        fake.routes["/accounts"] = json_response(401, {"error": {"code": "unauthorized"}})
        with pytest.raises(InvalidPublicToken):
            await client.exchange("nope")
        await client.aclose()
    assert exchanged.external_id == "enr_oiin624rqaojse22oe000"
    assert exchanged.institution_name == "Security Credit Union"


def test_a_valid_certificate_and_key_are_accepted(pki: Pki) -> None:
    info = inspect_certificate(str(pki.client_cert), str(pki.client_key), datetime.now(UTC))
    assert "fintech-teller-client" in info.subject
    assert info.not_after > datetime.now(UTC)


def test_a_missing_certificate_is_a_clear_error(tmp_path: Path, pki: Pki) -> None:
    with pytest.raises(TellerCertificateError) as caught:
        inspect_certificate(str(tmp_path / "absent.pem"), str(pki.client_key), datetime.now(UTC))
    assert caught.value.variable == "TELLER_CERTIFICATE_PATH"
    assert "cannot read" in caught.value.reason


def test_a_key_that_is_not_the_certificates_is_refused(tmp_path: Path, pki: Pki) -> None:
    other = write_other_key(tmp_path / "other.pem")
    with pytest.raises(TellerCertificateError) as caught:
        inspect_certificate(str(pki.client_cert), str(other), datetime.now(UTC))
    assert caught.value.variable == "TELLER_PRIVATE_KEY_PATH"
    assert "does not match" in caught.value.reason


def test_an_expired_certificate_is_refused_with_its_date(tmp_path: Path) -> None:
    expired = make_pki(tmp_path / "old", client_not_after=datetime.now(UTC) - timedelta(days=3))
    with pytest.raises(TellerCertificateError) as caught:
        inspect_certificate(str(expired.client_cert), str(expired.client_key), datetime.now(UTC))
    assert "expired on" in caught.value.reason


def test_a_file_that_is_not_pem_is_refused(tmp_path: Path, pki: Pki) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(TellerCertificateError) as caught:
        inspect_certificate(str(junk), str(pki.client_key), datetime.now(UTC))
    assert "not a PEM certificate" in caught.value.reason


async def test_an_unexpected_payload_is_a_provider_error(pki: Pki) -> None:
    from tests.tls import Recorded

    fake = FakeTeller(routes={"/accounts": Recorded(200, {}, b'{"not": "a list"}')})
    with mtls_server(pki, fake) as url:
        client = bank(pki, url)
        with pytest.raises(BankProviderError) as caught:
            await client.accounts(TOKEN)
        await client.aclose()
    assert "unexpected answer" in caught.value.detail


async def test_a_certificate_from_another_ca_is_refused(pki: Pki, served: str, tmp_path) -> None:
    stranger = make_pki(tmp_path / "stranger")
    context = build_ssl_context(str(stranger.client_cert), str(stranger.client_key), str(pki.ca))
    client = TellerBank(
        ssl_context=context, clock=FakeClock(), base_url=served, policy=RetryPolicy(attempts=1)
    )
    with pytest.raises(BankProviderError):
        await client.accounts(TOKEN)
    await client.aclose()


async def test_a_server_outside_the_trusted_cas_is_refused(pki: Pki, served: str, tmp_path) -> None:
    other = make_pki(tmp_path / "other")
    context = build_ssl_context(str(pki.client_cert), str(pki.client_key), str(other.ca))
    client = TellerBank(
        ssl_context=context, clock=FakeClock(), base_url=served, policy=RetryPolicy(attempts=1)
    )
    with pytest.raises(BankProviderError) as caught:
        await client.accounts(TOKEN)
    await client.aclose()
    assert "TLS handshake" in caught.value.detail
