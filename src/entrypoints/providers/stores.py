"""The SQL executor picked by ``FINTECH_SQL_URL``, and the migrator on top of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, provide

from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.sql import TracedExecutor
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings, SettingsError
from ports.sql import SqlExecutor

__all__ = ["StoreProvider", "build_executor"]


def build_executor(settings: Settings) -> SqlExecutor:
    """The executor for the configured store (the only place that chooses one)."""
    url = settings.sql_url
    if url.kind == "sqlite":
        return SqliteExecutor(url.path)
    raise SettingsError("FINTECH_SQL_URL", f"the {url.kind} store is not available in this build")


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
