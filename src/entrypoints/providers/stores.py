"""The SQL executor picked by ``FINTECH_SQL_URL``, and the migrator on top of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from dishka import Provider, Scope, provide

from adapters.sql.elixir_http import ElixirHttpConfig, ElixirHttpExecutor
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.sql import TracedExecutor
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings, SettingsError
from ports.sql import SqlExecutor

__all__ = ["StoreProvider", "build_executor", "elixir_config"]

_URL = "FINTECH_SQL_URL"
# Options an elixir+http(s) URL may carry; each overrides the matching setting.
_ELIXIR_OPTIONS = frozenset(
    {
        "params",
        "connect_timeout",
        "read_timeout",
        "total_timeout",
        "retries",
        "pool_size",
        "ca_bundle",
    }
)


def _seconds(options: Mapping[str, str], name: str, default: float) -> float:
    raw = options.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(_URL, f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 < value <= 3600:
        raise SettingsError(_URL, f"{name} must be between 0 and 3600 seconds, got {raw!r}")
    return value


def _count(options: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = options.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(_URL, f"{name} must be an integer from {low} to {high}, got {raw!r}")
    return int(raw)


def elixir_config(settings: Settings) -> ElixirHttpConfig:
    """Settings, overridden by the URL's query options (``?params=inline&read_timeout=2``)."""
    url = settings.sql_url
    options = url.options
    unknown = sorted(set(options) - _ELIXIR_OPTIONS)
    if unknown:
        raise SettingsError(
            _URL,
            f"unknown option(s) {', '.join(unknown)} for the elixir store "
            f"(known: {', '.join(sorted(_ELIXIR_OPTIONS))})",
        )
    mode = options.get("params", "native")
    if mode not in ("native", "inline"):
        raise SettingsError(_URL, f"params must be native or inline, got {mode!r}")
    ca_bundle = options.get("ca_bundle")
    if ca_bundle is not None and not Path(ca_bundle).is_file():
        raise SettingsError(_URL, f"ca_bundle: no readable file at {ca_bundle!r}")
    return ElixirHttpConfig(
        base_url=url.base_url,
        ca_bundle=ca_bundle,
        inline=mode == "inline",
        token=settings.sql_token,
        connect_timeout=_seconds(options, "connect_timeout", settings.sql_timeout_connect),
        read_timeout=_seconds(options, "read_timeout", settings.sql_timeout_read),
        total_timeout=_seconds(options, "total_timeout", settings.sql_timeout_total),
        retries=_count(options, "retries", settings.sql_retries, 0, 10),
        pool_size=_count(options, "pool_size", settings.sql_pool_size, 1, 200),
    )


def build_executor(settings: Settings) -> SqlExecutor:
    """The executor for the configured store (the only place that chooses one)."""
    url = settings.sql_url
    if url.kind == "sqlite":
        return SqliteExecutor(url.path)
    if url.kind == "elixir":
        return ElixirHttpExecutor(elixir_config(settings))
    # Imported here: asyncpg costs 40 ms and 2 MB at start-up that other stores never use.
    from adapters.sql.postgres import PostgresConfig, PostgresExecutor

    return PostgresExecutor(
        PostgresConfig(
            dsn=url.raw,
            connect_timeout=settings.sql_timeout_connect,
            read_timeout=settings.sql_timeout_read,
            total_timeout=settings.sql_timeout_total,
            retries=settings.sql_retries,
            pool_size=settings.sql_pool_size,
        )
    )


class StoreProvider(Provider):
    scope = Scope.APP

    @provide
    async def executor(
        self, settings: Settings, metrics: Metrics, tracing: Tracing
    ) -> AsyncIterator[SqlExecutor]:
        # Every store is observed: a span, a duration metric and a debug line per statement.
        executor = TracedExecutor(build_executor(settings), metrics, tracing.tracer)
        try:
            yield executor
        finally:
            await executor.close()

    @provide
    def migrator(self, executor: SqlExecutor) -> Migrator:
        return Migrator(executor)
