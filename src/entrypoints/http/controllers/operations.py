"""Operations endpoints: Prometheus metrics and maintenance mode."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from core.domain.identity import Principal
from core.services.maintenance import MaintenanceService
from entrypoints.http.dto.operations import MaintenanceRequest, MaintenanceStatus
from entrypoints.http.errors import problem_responses
from entrypoints.observability.metrics import CONTENT_TYPE_LATEST, Metrics

__all__ = ["MaintenanceController", "MetricsController"]


class MetricsController(Controller):
    path = "/metrics"
    tags = ["operations"]

    @get(
        "",
        summary="Prometheus metrics of this process",
        description="Text exposition format. Bind or protect it at the deployment (see README).",
        media_type=CONTENT_TYPE_LATEST,
    )
    async def metrics(self, metrics: FromDishka[Metrics]) -> Response[bytes]:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


class MaintenanceController(Controller):
    path = "/v1/admin/maintenance"
    tags = ["admin"]
    security = [{"BearerToken": []}]

    @post(
        "",
        status_code=200,
        summary="Turn maintenance mode on or off (admin)",
        description=(
            "While on, every /v1 write except under /v1/admin and /v1/auth answers 503 "
            "`maintenance` with Retry-After; reads, health and admin routes keep working. "
            "Every instance sees the change within about a second."
        ),
        responses=problem_responses(400, 401, 403, 503),
    )
    async def set_maintenance(
        self,
        data: JSONBody[MaintenanceRequest],
        principal: FromDishka[Principal],
        maintenance: FromDishka[MaintenanceService],
    ) -> MaintenanceStatus:
        state = await maintenance.set(principal, enabled=data.enabled, reason=data.reason)
        return MaintenanceStatus.of(state)
