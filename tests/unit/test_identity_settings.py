"""The identity settings: rate limits as COUNT/SECONDS and trusted proxies."""

from __future__ import annotations

import pytest

from entrypoints.providers.identity import rate_limit_policy
from entrypoints.settings import SettingsError, load_settings


def load(**env: str):
    return load_settings(env, env_file=None)


def test_rate_limit_defaults_and_overrides() -> None:
    policy = rate_limit_policy(load())
    assert (policy.login_per_account.limit, policy.login_per_account.window_seconds) == (10, 900)
    assert policy.money_writes_per_principal.limit == 120
    custom = load(FINTECH_RATE_MONEY_WRITES="30/10", FINTECH_RATE_LOGIN_ADDRESS="100/60")
    assert custom.rate_money_writes == (30, 10)
    assert custom.rate_login_per_address == (100, 60)


@pytest.mark.parametrize("value", ["10", "0/60", "10/0", "ten/60", "10/-5", "/"])
def test_a_bad_rate_limit_names_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load(FINTECH_RATE_LOGIN_ACCOUNT=value)
    assert info.value.variable == "FINTECH_RATE_LOGIN_ACCOUNT"


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert load(FINTECH_TRUSTED_PROXIES="10.0.0.0/8, 192.168.1.7").trusted_proxies == (
        "10.0.0.0/8",
        "192.168.1.7/32",
    )
    with pytest.raises(SettingsError) as info:
        load(FINTECH_TRUSTED_PROXIES="proxy.internal")
    assert info.value.variable == "FINTECH_TRUSTED_PROXIES"
