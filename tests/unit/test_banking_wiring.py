"""Provider selection as DESIGN.md says, and the personal-finance view of linked accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from core.domain.identity import Principal
from core.services.banking import BankingService
from entrypoints.container import create_container
from entrypoints.providers.banking import build_bank_clients
from entrypoints.settings import SettingsError
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider
from tests.tls import make_pki

pytestmark = pytest.mark.anyio


def test_without_credentials_the_demo_bank_is_the_default(sql_url: str) -> None:
    clients = build_bank_clients(make_settings(sql_url), FakeClock())
    assert clients.default == "demo"
    assert clients.registry().get("demo") is clients.demo
    assert clients.teller is None
    assert clients.plaid is None


def test_a_teller_certificate_selects_teller(sql_url: str, tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    settings = make_settings(
        sql_url,
        TELLER_CERTIFICATE_PATH=str(pki.client_cert),
        TELLER_PRIVATE_KEY_PATH=str(pki.client_key),
        PLAID_CLIENT_ID="id",
        PLAID_SECRET="secret",
    )
    clients = build_bank_clients(settings, FakeClock(datetime.now(UTC)))
    assert clients.default == "teller"
    assert clients.teller is not None
    assert clients.plaid is not None  # configured too, usable with provider="plaid"


def test_plaid_credentials_select_plaid(sql_url: str) -> None:
    settings = make_settings(sql_url, PLAID_CLIENT_ID="id", PLAID_SECRET="secret")
    assert build_bank_clients(settings, FakeClock()).default == "plaid"


def test_the_override_wins_over_detection(sql_url: str) -> None:
    settings = make_settings(
        sql_url, PLAID_CLIENT_ID="id", PLAID_SECRET="secret", FINTECH_BANKING_PROVIDER="demo"
    )
    assert build_bank_clients(settings, FakeClock()).default == "demo"


def test_production_refuses_the_demo_bank(sql_url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(sql_url, FINTECH_ENV="production", ALPHAVANTAGE_API_KEY="k")
    assert caught.value.variable == "FINTECH_BANKING_PROVIDER"


def test_an_expired_teller_certificate_stops_the_wiring(sql_url: str, tmp_path: Path) -> None:
    pki = make_pki(tmp_path, client_not_after=datetime.now(UTC) - timedelta(days=1))
    settings = make_settings(
        sql_url,
        TELLER_CERTIFICATE_PATH=str(pki.client_cert),
        TELLER_PRIVATE_KEY_PATH=str(pki.client_key),
    )
    with pytest.raises(SettingsError) as caught:
        build_bank_clients(settings, FakeClock(datetime.now(UTC)))
    assert caught.value.variable == "TELLER_CERTIFICATE_PATH"
    assert "expired" in caught.value.reason


async def test_linked_finances_spans_every_connection_of_the_user(sql_url: str) -> None:
    from adapters.sql.migrator import Migrator

    container = create_container(make_settings(sql_url), FakeSystemProvider())
    try:
        await (await container.get(Migrator)).migrate()
        banking = await container.get(BankingService)
        alice = Principal(user_id="usr_alice")
        await banking.exchange(alice, "demo-one")
        await banking.exchange(alice, "demo-two")
        await banking.exchange(Principal(user_id="usr_bob"), "demo-bob")
        finances = await banking.linked_finances(alice, date(2026, 1, 1), date(2026, 1, 31))
    finally:
        await container.close()
    assert len(finances.accounts) == 6
    assert all(a.balance_current is not None for a in finances.accounts)
    assert finances.transactions
    assert all(date(2026, 1, 1) <= t.date <= date(2026, 1, 31) for t in finances.transactions)
    assert {t.connection_id for t in finances.transactions} == {
        a.connection_id for a in finances.accounts
    }


def test_the_cache_ttl_is_configurable_and_validated(sql_url: str) -> None:
    assert make_settings(sql_url).banking_cache_ttl == 300
    assert make_settings(sql_url, FINTECH_BANKING_CACHE_TTL="0").banking_cache_ttl == 0
    with pytest.raises(SettingsError) as caught:
        make_settings(sql_url, FINTECH_BANKING_CACHE_TTL="-1")
    assert caught.value.variable == "FINTECH_BANKING_CACHE_TTL"
