"""The one place that reads configuration: environment (and an optional ``.env``) → Settings.

Parsed once at start-up into a frozen object; an invalid value raises ``SettingsError``
naming the variable, which the CLI prints as one line before exiting non-zero.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = ["Settings", "SettingsError", "SqlUrl", "load_settings", "read_env_file"]

Environment = Literal["development", "test", "production"]
_ENVIRONMENTS = ("development", "test", "production")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingsError(Exception):
    """A configuration value is missing or invalid."""

    def __init__(self, variable: str, reason: str) -> None:
        self.variable = variable
        self.reason = reason
        super().__init__(f"{variable}: {reason}")


@attrs.frozen
class SqlUrl:
    """A parsed ``FINTECH_SQL_URL``."""

    kind: Literal["sqlite", "elixir", "postgresql"]
    raw: str = attrs.field(repr=False)
    path: str = ""  # sqlite file path or ":memory:"
    base_url: str = ""  # elixir: http(s)://host:port[/prefix]
    options: Mapping[str, str] = attrs.field(factory=dict)

    def redacted(self) -> str:
        """The URL with any password removed, safe to print."""
        parts = urlsplit(self.raw)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return self.raw


def default_sqlite_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fintech" / "fintech.db"


def parse_sql_url(raw: str) -> SqlUrl:
    name = "FINTECH_SQL_URL"
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        path = raw.split("://", 1)[1].split("?", 1)[0] if "://" in raw else ""
        path = path[1:] if path.startswith("/") else path
        if not path:
            raise SettingsError(name, "sqlite URL needs a path, e.g. sqlite:///data/fintech.db")
        return SqlUrl(kind="sqlite", raw=raw, path=path, options=options)
    if scheme in ("elixir+http", "elixir+https"):
        if not parts.hostname:
            raise SettingsError(name, "elixir URL needs a host, e.g. elixir+http://127.0.0.1:4000")
        transport = scheme.split("+", 1)[1]
        base = f"{transport}://{parts.netloc}{parts.path.rstrip('/')}"
        return SqlUrl(kind="elixir", raw=raw, base_url=base, options=options)
    if scheme in ("postgresql", "postgres"):
        if not parts.hostname and "host" not in options:
            raise SettingsError(name, "postgresql URL needs a host")
        return SqlUrl(kind="postgresql", raw=raw, options=options)
    shown = scheme or raw[:20]
    raise SettingsError(
        name,
        f"unsupported scheme {shown!r} (expected sqlite:///…, elixir+http://…, "
        "elixir+https://… or postgresql://…)",
    )


@attrs.frozen
class Settings:
    env: Environment = "development"
    sql_url: SqlUrl = attrs.field(factory=lambda: parse_sql_url("sqlite:///:memory:"))
    auto_migrate: bool = True
    secret_key: bytes = attrs.field(repr=False, factory=lambda: secrets.token_bytes(32))
    secret_key_ephemeral: bool = True
    encryption_keys: tuple[tuple[str, bytes], ...] = attrs.field(
        repr=False, factory=lambda: (("ephemeral", secrets.token_bytes(32)),)
    )
    encryption_keys_ephemeral: bool = True
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"
    # SQL client
    sql_timeout_connect: float = 5.0
    sql_timeout_read: float = 10.0
    sql_timeout_total: float = 30.0
    sql_retries: int = 3
    sql_pool_size: int = 10
    sql_token: str | None = attrs.field(default=None, repr=False)
    # security
    jwt_issuer: str = "fintech"
    jwt_audience: str = "fintech-api"
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    cors_origins: tuple[str, ...] = ()
    # payments
    fee_bps: int = 290
    fee_fixed: int = 30
    idempotency_ttl: int = 24 * 3600
    # banking
    banking_provider: Literal["teller", "plaid", "demo"] | None = None
    demo_transactions: int = 250
    banking_cache_ttl: int = 300
    teller_certificate_path: str | None = None
    teller_private_key_path: str | None = None
    teller_environment: str = "sandbox"
    teller_base_url: str | None = None
    teller_ca_bundle: str | None = None
    teller_signing_secret: str | None = attrs.field(default=None, repr=False)
    plaid_client_id: str | None = None
    plaid_secret: str | None = attrs.field(default=None, repr=False)
    plaid_environment: str = "sandbox"
    plaid_base_url: str | None = None
    # market data
    alphavantage_api_key: str | None = attrs.field(default=None, repr=False)
    alphavantage_base_url: str = "https://www.alphavantage.co"
    quote_cache_ttl: int = 60
    history_cache_ttl: int = 3600
    # background jobs
    jobs_enabled: bool = True
    # identity: rate limits as (count, window seconds); proxies trusted for X-Forwarded-*
    rate_login_per_account: tuple[int, int] = (10, 900)
    rate_login_per_address: tuple[int, int] = (50, 900)
    rate_register_per_address: tuple[int, int] = (10, 3600)
    rate_money_writes: tuple[int, int] = (120, 60)
    trusted_proxies: tuple[str, ...] = ()
    previous_secret_keys: tuple[bytes, ...] = attrs.field(default=(), repr=False)
    # operations: the trace exporter picked by the standard OTEL_* variables
    otel_traces_exporter: Literal["none", "console", "otlp"] = "none"
    # webhooks (seconds; interval 0 disables a job)
    webhook_dispatcher_enabled: bool = True
    webhook_poll_interval: float = 1.0
    webhook_timeout: float = 5.0
    webhook_concurrency: int = 4
    webhook_backoff_base: float = 5.0
    webhook_backoff_max: float = 6 * 3600.0
    webhook_backoff_jitter_percent: int = 20
    webhook_horizon: int = 3 * 24 * 3600
    webhook_fanout_window: int = 300
    webhook_sweep_interval: int = 600
    job_recovery_interval: int = 60
    job_idempotency_purge_interval: int = 3600
    job_balance_snapshot_interval: int = 24 * 3600
    job_settlement_interval: int = 0

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def resolved_banking_provider(self) -> str:
        """The provider DESIGN.md's detection rules pick (override first)."""
        if self.banking_provider:
            return self.banking_provider
        if self.teller_certificate_path:
            return "teller"
        if self.plaid_client_id:
            return "plaid"
        return "demo"

    @property
    def resolved_market_provider(self) -> str:
        return "alphavantage" if self.alphavantage_api_key else "demo"


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file; ``#`` comments and optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.env.get(name)
        if value is None or value.strip() == "":
            return default
        return value.strip()

    def bool(self, name: str, default: bool) -> bool:
        value = self.str(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise SettingsError(name, f"expected true or false, got {value!r}")

    def int(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.str(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise SettingsError(name, f"expected an integer, got {value!r}") from None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise SettingsError(name, f"must be {bound}, got {number}")
        return number

    def float(self, name: str, default: float) -> float:
        value = self.str(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise SettingsError(name, f"expected a number of seconds, got {value!r}") from None
        if not number > 0:
            raise SettingsError(name, f"must be positive, got {value!r}")
        return number

    def choice(self, name: str, choices: tuple[str, ...], default: str | None) -> str | None:
        value = self.str(name)
        if value is None:
            return default
        if value.lower() not in choices:
            raise SettingsError(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value.lower()

    def path(self, name: str) -> str | None:
        value = self.str(name)
        if value is not None and not Path(value).is_file():
            raise SettingsError(name, f"no readable file at {value!r}")
        return value


def _parse_keyring(raw: str) -> tuple[tuple[str, bytes], ...]:
    name = "FINTECH_ENCRYPTION_KEYS"
    ring: list[tuple[str, bytes]] = []
    for item in raw.split(","):
        kid, sep, encoded = item.strip().partition(":")
        if not sep or not kid or not encoded:
            raise SettingsError(name, "expected kid:base64key[,kid:base64key…]")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise SettingsError(name, f"key {kid!r} is not valid base64") from None
        if len(key) not in (16, 24, 32):
            raise SettingsError(
                name, f"key {kid!r} must be 16, 24 or 32 bytes (AES), got {len(key)}"
            )
        if any(existing == kid for existing, _ in ring):
            raise SettingsError(name, f"key id {kid!r} appears twice")
        ring.append((kid, key))
    return tuple(ring)


def _rate(r: _Reader, name: str, default: tuple[int, int]) -> tuple[int, int]:
    """``COUNT/SECONDS``, e.g. ``10/900``: at most 10 hits per 15-minute window."""
    value = r.str(name)
    if value is None:
        return default
    count, sep, window = value.partition("/")
    try:
        parsed = (int(count), int(window))
    except ValueError:
        parsed = (0, 0)
    if not sep or parsed[0] < 1 or parsed[1] < 1:
        raise SettingsError(name, f"expected COUNT/SECONDS such as 10/900, got {value!r}")
    return parsed


def _trusted_proxies(raw: str) -> tuple[str, ...]:
    """Addresses or networks (``10.0.0.0/8``) whose X-Forwarded-For/-Proto are believed."""
    networks: list[str] = []
    for item in (p.strip() for p in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(
                "FINTECH_TRUSTED_PROXIES", f"{item!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _previous_keys(raw: str) -> tuple[bytes, ...]:
    """Retired JWT keys still accepted for verification during a rotation (comma-separated)."""
    keys = tuple(k.strip().encode() for k in raw.split(",") if k.strip())
    if any(len(k) < 32 for k in keys):
        raise SettingsError("FINTECH_PREVIOUS_SECRET_KEYS", "each key must be at least 32 bytes")
    return keys


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")
) -> Settings:
    """Parse configuration; ``environ`` wins over the ``.env`` file."""
    merged: dict[str, str] = {}
    if env_file is not None:
        merged.update(read_env_file(env_file))
    merged.update(os.environ if environ is None else environ)
    r = _Reader(merged)

    env = r.choice("FINTECH_ENV", _ENVIRONMENTS, "development")
    assert env is not None
    production = env == "production"

    raw_url = r.str("FINTECH_SQL_URL")
    sql_url = parse_sql_url(raw_url or f"sqlite:///{default_sqlite_path()}")

    secret = r.str("FINTECH_SECRET_KEY")
    if secret is None:
        if production:
            raise SettingsError("FINTECH_SECRET_KEY", "required in production (at least 32 bytes)")
        secret_key, secret_ephemeral = secrets.token_bytes(32), True
    else:
        if len(secret.encode()) < 32:
            raise SettingsError("FINTECH_SECRET_KEY", "must be at least 32 bytes long")
        secret_key, secret_ephemeral = secret.encode(), False

    ring_raw = r.str("FINTECH_ENCRYPTION_KEYS")
    if ring_raw is None:
        if production:
            raise SettingsError("FINTECH_ENCRYPTION_KEYS", "required in production (kid:base64key)")
        ring, ring_ephemeral = (("ephemeral", secrets.token_bytes(32)),), True
    else:
        ring, ring_ephemeral = _parse_keyring(ring_raw), False

    log_format = r.choice(
        "FINTECH_LOG_FORMAT", ("json", "console"), "json" if production else "console"
    )
    log_level = (r.str("FINTECH_LOG_LEVEL", "INFO") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(
            "FINTECH_LOG_LEVEL",
            f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {log_level!r}",
        )

    provider = r.choice("FINTECH_BANKING_PROVIDER", ("teller", "plaid", "demo"), None)
    teller_cert = r.path("TELLER_CERTIFICATE_PATH")
    teller_key = r.path("TELLER_PRIVATE_KEY_PATH")
    if teller_cert and not teller_key:
        raise SettingsError(
            "TELLER_PRIVATE_KEY_PATH", "required when TELLER_CERTIFICATE_PATH is set"
        )
    plaid_id = r.str("PLAID_CLIENT_ID")
    plaid_secret = r.str("PLAID_SECRET")
    if plaid_id and not plaid_secret:
        raise SettingsError("PLAID_SECRET", "required when PLAID_CLIENT_ID is set")
    cors = tuple(
        o.strip() for o in (r.str("FINTECH_CORS_ORIGINS", "") or "").split(",") if o.strip()
    )

    settings = Settings(
        env=env,  # type: ignore[arg-type]
        sql_url=sql_url,
        auto_migrate=r.bool("FINTECH_AUTO_MIGRATE", not production),
        secret_key=secret_key,
        secret_key_ephemeral=secret_ephemeral,
        encryption_keys=ring,
        encryption_keys_ephemeral=ring_ephemeral,
        log_level=log_level,
        log_format=log_format,  # type: ignore[arg-type]
        sql_timeout_connect=r.float("FINTECH_SQL_CONNECT_TIMEOUT", 5.0),
        sql_timeout_read=r.float("FINTECH_SQL_READ_TIMEOUT", 10.0),
        sql_timeout_total=r.float("FINTECH_SQL_TOTAL_TIMEOUT", 30.0),
        sql_retries=r.int("FINTECH_SQL_RETRIES", 3, maximum=10),
        sql_pool_size=r.int("FINTECH_SQL_POOL_SIZE", 10, minimum=1, maximum=200),
        sql_token=r.str("FINTECH_SQL_TOKEN"),
        access_token_ttl=r.int("FINTECH_ACCESS_TOKEN_TTL", 900, minimum=30, maximum=86400),
        refresh_token_ttl=r.int("FINTECH_REFRESH_TOKEN_TTL", 30 * 86400, minimum=60),
        cors_origins=cors,
        fee_bps=r.int("FINTECH_FEE_BPS", 290, maximum=10_000),
        fee_fixed=r.int("FINTECH_FEE_FIXED", 30),
        idempotency_ttl=r.int("FINTECH_IDEMPOTENCY_TTL", 24 * 3600, minimum=24 * 3600),
        banking_provider=provider,  # type: ignore[arg-type]
        banking_cache_ttl=r.int("FINTECH_BANKING_CACHE_TTL", 300, maximum=86_400),
        demo_transactions=r.int("FINTECH_DEMO_TRANSACTIONS", 250, minimum=200, maximum=100_000),
        teller_certificate_path=teller_cert,
        teller_private_key_path=teller_key,
        teller_environment=r.choice(
            "TELLER_ENVIRONMENT", ("sandbox", "development", "production"), "sandbox"
        )
        or "sandbox",
        teller_base_url=r.str("TELLER_BASE_URL"),
        teller_ca_bundle=r.path("TELLER_CA_BUNDLE"),
        teller_signing_secret=r.str("TELLER_SIGNING_SECRET"),
        plaid_client_id=plaid_id,
        plaid_secret=plaid_secret,
        plaid_environment=r.choice("PLAID_ENVIRONMENT", ("sandbox", "production"), "sandbox")
        or "sandbox",
        plaid_base_url=r.str("PLAID_BASE_URL"),
        alphavantage_api_key=r.str("ALPHAVANTAGE_API_KEY"),
        alphavantage_base_url=r.str("ALPHAVANTAGE_BASE_URL", "https://www.alphavantage.co") or "",
        quote_cache_ttl=r.int("FINTECH_QUOTE_CACHE_TTL", 60),
        history_cache_ttl=r.int("FINTECH_HISTORY_CACHE_TTL", 3600),
        jobs_enabled=r.bool("FINTECH_JOBS_ENABLED", True),
        rate_login_per_account=_rate(r, "FINTECH_RATE_LOGIN_ACCOUNT", (10, 900)),
        rate_login_per_address=_rate(r, "FINTECH_RATE_LOGIN_ADDRESS", (50, 900)),
        rate_register_per_address=_rate(r, "FINTECH_RATE_REGISTER_ADDRESS", (10, 3600)),
        rate_money_writes=_rate(r, "FINTECH_RATE_MONEY_WRITES", (120, 60)),
        trusted_proxies=_trusted_proxies(r.str("FINTECH_TRUSTED_PROXIES", "") or ""),
        previous_secret_keys=_previous_keys(r.str("FINTECH_PREVIOUS_SECRET_KEYS", "") or ""),
        otel_traces_exporter=r.choice(  # type: ignore[arg-type]
            "OTEL_TRACES_EXPORTER",
            ("none", "console", "otlp"),
            "otlp" if r.str("OTEL_EXPORTER_OTLP_ENDPOINT") else "none",
        ),
        webhook_dispatcher_enabled=r.bool("FINTECH_WEBHOOK_DISPATCHER_ENABLED", True),
        webhook_poll_interval=r.float("FINTECH_WEBHOOK_POLL_INTERVAL", 1.0),
        webhook_timeout=r.float("FINTECH_WEBHOOK_TIMEOUT", 5.0),
        webhook_concurrency=r.int("FINTECH_WEBHOOK_CONCURRENCY", 4, minimum=1, maximum=64),
        webhook_backoff_base=r.float("FINTECH_WEBHOOK_BACKOFF_BASE", 5.0),
        webhook_backoff_max=r.float("FINTECH_WEBHOOK_BACKOFF_MAX", 6 * 3600.0),
        webhook_backoff_jitter_percent=r.int("FINTECH_WEBHOOK_BACKOFF_JITTER", 20, maximum=100),
        webhook_horizon=r.int("FINTECH_WEBHOOK_HORIZON", 3 * 24 * 3600, minimum=1),
        webhook_fanout_window=r.int("FINTECH_WEBHOOK_FANOUT_WINDOW", 300, minimum=1),
        webhook_sweep_interval=r.int("FINTECH_WEBHOOK_SWEEP_INTERVAL", 600),
        job_recovery_interval=r.int("FINTECH_JOB_RECOVERY_INTERVAL", 60),
        job_idempotency_purge_interval=r.int("FINTECH_JOB_PURGE_INTERVAL", 3600),
        job_balance_snapshot_interval=r.int("FINTECH_JOB_SNAPSHOT_INTERVAL", 24 * 3600),
        job_settlement_interval=r.int("FINTECH_JOB_SETTLEMENT_INTERVAL", 0),
    )
    if production and settings.resolved_banking_provider == "demo":
        raise SettingsError(
            "FINTECH_BANKING_PROVIDER",
            "the demo bank provider is refused in production: "
            "set TELLER_CERTIFICATE_PATH or PLAID_CLIENT_ID",
        )
    if production and settings.resolved_market_provider == "demo":
        raise SettingsError(
            "ALPHAVANTAGE_API_KEY", "required in production (the demo market provider is refused)"
        )
    if provider == "teller" and not teller_cert and env == "production":
        raise SettingsError(
            "TELLER_CERTIFICATE_PATH", "required when FINTECH_BANKING_PROVIDER=teller"
        )
    if provider == "plaid" and not plaid_id:
        raise SettingsError("PLAID_CLIENT_ID", "required when FINTECH_BANKING_PROVIDER=plaid")
    return settings
