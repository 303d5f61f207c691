from __future__ import annotations

import base64
from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings, read_env_file

KEY = base64.b64encode(b"k" * 32).decode()
SECRET = "s" * 32


def load(**env: str):
    return load_settings(env, env_file=None)


def test_defaults_are_a_development_service_on_sqlite() -> None:
    s = load()
    assert s.env == "development"
    assert s.sql_url.kind == "sqlite"
    assert s.sql_url.path.endswith("fintech.db")
    assert s.auto_migrate is True
    assert s.secret_key_ephemeral
    assert s.encryption_keys_ephemeral
    assert s.log_format == "console"
    assert s.resolved_banking_provider == "demo"
    assert s.demo_transactions == 250


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:///:memory:", "sqlite"),
        ("sqlite:////var/lib/fintech.db", "sqlite"),
        ("elixir+http://127.0.0.1:4000", "elixir"),
        ("elixir+https://db.internal:443/sql?params=inline", "elixir"),
        ("postgresql://user:pw@localhost:5432/fintech", "postgresql"),
    ],
)
def test_sql_url_schemes_are_recognised(url: str, kind: str) -> None:
    assert load(FINTECH_SQL_URL=url).sql_url.kind == kind


def test_elixir_url_keeps_transport_and_options() -> None:
    url = load(FINTECH_SQL_URL="elixir+https://db:8443/api?params=inline").sql_url
    assert url.base_url == "https://db:8443/api"
    assert url.options["params"] == "inline"


def test_postgres_password_is_redacted_for_display() -> None:
    url = load(FINTECH_SQL_URL="postgresql://app:hunter2@db/fintech").sql_url
    assert "hunter2" not in url.redacted()
    assert "hunter2" not in repr(url)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"FINTECH_SQL_URL": "bogus://x"}, "FINTECH_SQL_URL"),
        ({"FINTECH_SQL_URL": "elixir+http://"}, "FINTECH_SQL_URL"),
        ({"FINTECH_ENV": "staging"}, "FINTECH_ENV"),
        ({"FINTECH_AUTO_MIGRATE": "maybe"}, "FINTECH_AUTO_MIGRATE"),
        ({"FINTECH_SECRET_KEY": "short"}, "FINTECH_SECRET_KEY"),
        ({"FINTECH_ENCRYPTION_KEYS": "nocolon"}, "FINTECH_ENCRYPTION_KEYS"),
        ({"FINTECH_ENCRYPTION_KEYS": "k1:!!!notbase64"}, "FINTECH_ENCRYPTION_KEYS"),
        (
            {"FINTECH_ENCRYPTION_KEYS": f"k1:{base64.b64encode(b'x' * 7).decode()}"},
            "FINTECH_ENCRYPTION_KEYS",
        ),
        ({"FINTECH_ENCRYPTION_KEYS": f"k1:{KEY},k1:{KEY}"}, "FINTECH_ENCRYPTION_KEYS"),
        ({"FINTECH_LOG_LEVEL": "LOUD"}, "FINTECH_LOG_LEVEL"),
        ({"FINTECH_LOG_FORMAT": "xml"}, "FINTECH_LOG_FORMAT"),
        ({"FINTECH_BANKING_PROVIDER": "chase"}, "FINTECH_BANKING_PROVIDER"),
        ({"FINTECH_DEMO_TRANSACTIONS": "ten"}, "FINTECH_DEMO_TRANSACTIONS"),
        ({"FINTECH_DEMO_TRANSACTIONS": "5"}, "FINTECH_DEMO_TRANSACTIONS"),
        ({"TELLER_CERTIFICATE_PATH": "/nonexistent/cert.pem"}, "TELLER_CERTIFICATE_PATH"),
        ({"PLAID_CLIENT_ID": "abc"}, "PLAID_SECRET"),
        ({"FINTECH_BANKING_PROVIDER": "plaid"}, "PLAID_CLIENT_ID"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as info:
        load(**env)
    assert info.value.variable == variable
    assert str(info.value).startswith(f"{variable}: ")


def test_production_refuses_ephemeral_secrets() -> None:
    with pytest.raises(SettingsError) as info:
        load(FINTECH_ENV="production", FINTECH_ENCRYPTION_KEYS=f"k1:{KEY}")
    assert info.value.variable == "FINTECH_SECRET_KEY"
    with pytest.raises(SettingsError) as info:
        load(FINTECH_ENV="production", FINTECH_SECRET_KEY=SECRET)
    assert info.value.variable == "FINTECH_ENCRYPTION_KEYS"


def test_production_refuses_the_demo_providers() -> None:
    with pytest.raises(SettingsError) as info:
        load(
            FINTECH_ENV="production", FINTECH_SECRET_KEY=SECRET, FINTECH_ENCRYPTION_KEYS=f"k1:{KEY}"
        )
    assert info.value.variable == "FINTECH_BANKING_PROVIDER"


def test_production_defaults_to_json_logs_and_no_auto_migrate() -> None:
    s = load(
        FINTECH_ENV="production",
        FINTECH_SECRET_KEY=SECRET,
        FINTECH_ENCRYPTION_KEYS=f"k1:{KEY}",
        PLAID_CLIENT_ID="id",
        PLAID_SECRET="sec",
        ALPHAVANTAGE_API_KEY="av",
    )
    assert s.log_format == "json"
    assert s.auto_migrate is False
    assert s.resolved_banking_provider == "plaid"
    assert s.encryption_keys == (("k1", b"k" * 32),)


def test_provider_detection_and_override(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    cert.write_text("x")
    key.write_text("y")
    both = {"TELLER_CERTIFICATE_PATH": str(cert), "TELLER_PRIVATE_KEY_PATH": str(key)}
    assert load(**both, PLAID_CLIENT_ID="a", PLAID_SECRET="b").resolved_banking_provider == "teller"
    assert load(**both, FINTECH_BANKING_PROVIDER="demo").resolved_banking_provider == "demo"


def test_secrets_never_appear_in_repr() -> None:
    s = load(FINTECH_SECRET_KEY=SECRET, PLAID_CLIENT_ID="id", PLAID_SECRET="plaid-secret-value")
    text = repr(s)
    assert SECRET not in text
    assert "plaid-secret-value" not in text


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nexport FINTECH_LOG_LEVEL=debug\n"
        "FINTECH_DEMO_TRANSACTIONS='300'\nFINTECH_ENV=test\n"
    )
    assert read_env_file(env_file)["FINTECH_DEMO_TRANSACTIONS"] == "300"
    s = load_settings({"FINTECH_ENV": "development"}, env_file=env_file)
    assert s.log_level == "DEBUG"
    assert s.demo_transactions == 300
    assert s.env == "development"
