"""Liveness and readiness probes."""

from __future__ import annotations

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, get

from adapters.sql.migrator import Migrator
from entrypoints.http.errors import problem_responses
from ports.sql import SqlError, SqlExecutor


class Liveness(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    store: str
    pending_migrations: int | None = None
    latency_ms: float | None = None


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get("/live", summary="The process is up")
    async def live(self) -> Liveness:
        return Liveness(status="ok")

    @get(
        "/ready",
        summary="The store is reachable and the schema is current",
        responses=problem_responses(503),
    )
    async def ready(
        self, executor: FromDishka[SqlExecutor], migrator: FromDishka[Migrator]
    ) -> Response[Readiness]:
        try:
            latency = await executor.ping()
            pending = len(await migrator.pending())
        except SqlError:
            return Response(Readiness(status="unavailable", store="unreachable"), status_code=503)
        if pending:
            body = Readiness(status="migrations_pending", store="ok", pending_migrations=pending)
            return Response(body, status_code=503)
        return Response(
            Readiness(
                status="ok", store="ok", pending_migrations=0, latency_ms=round(latency * 1e3, 3)
            ),
            status_code=200,
        )
