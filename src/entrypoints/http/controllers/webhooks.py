"""Events feed and outgoing webhook endpoints of a merchant."""

from __future__ import annotations

from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.domain.identity import Principal
from core.services.webhooks import WebhookService
from entrypoints.http.bearer_guard import require_principal
from entrypoints.http.dto.webhooks import (
    DeliveryList,
    DeliveryOut,
    EndpointCreate,
    EndpointCreated,
    EndpointList,
    EndpointOut,
    EventList,
    EventOut,
)
from entrypoints.http.errors import problem_responses

__all__ = ["EventsController", "WebhookEndpointsController"]

Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=200, description="Page size (1-200)")]
Cursor = Annotated[
    str | None, QueryParameter(name="cursor", max_length=512, description="From next_cursor")
]


class EventsController(Controller):
    path = "/v1/merchants/{merchant_id:str}/events"
    tags = ["events"]
    security = [{"BearerToken": []}]
    guards = [require_principal]  # 401 before the query or body is parsed

    @get(
        "/",
        summary="The merchant's events, newest first",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def list_events(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        service: FromDishka[WebhookService],
        event_type: Annotated[
            str | None, QueryParameter(name="type", description="Only events of this type")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> EventList:
        page = await service.list_events(
            principal, merchant_id, event_type=event_type, cursor=cursor, limit=limit
        )
        return EventList(items=[EventOut.of(e) for e in page.items], next_cursor=page.next_cursor)


class WebhookEndpointsController(Controller):
    path = "/v1/merchants/{merchant_id:str}/webhook-endpoints"
    tags = ["webhooks"]
    security = [{"BearerToken": []}]
    guards = [require_principal]  # 401 before the query or body is parsed

    @post(
        "/",
        summary="Register an endpoint; the signing secret is shown only in this response",
        status_code=201,
        responses=problem_responses(400, 401, 403, 404, 409, 503),
    )
    async def create_endpoint(
        self,
        merchant_id: FromPath[str],
        data: JSONBody[EndpointCreate],
        principal: FromDishka[Principal],
        service: FromDishka[WebhookService],
    ) -> EndpointCreated:
        created = await service.create_endpoint(
            principal, merchant_id, url=data.url, events=list(data.events)
        )
        out = EndpointOut.of(created.endpoint)
        return EndpointCreated(
            id=out.id,
            url=out.url,
            events=out.events,
            status=out.status,
            created_at=out.created_at,
            secret=created.secret,
        )

    @get(
        "/",
        summary="The merchant's endpoints (never their secrets)",
        responses=problem_responses(401, 403, 404, 503),
    )
    async def list_endpoints(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        service: FromDishka[WebhookService],
    ) -> EndpointList:
        endpoints = await service.list_endpoints(principal, merchant_id)
        return EndpointList(items=[EndpointOut.of(e) for e in endpoints])

    @delete(
        "/{endpoint_id:str}",
        summary="Remove an endpoint; its pending deliveries are cancelled",
        status_code=204,
        responses=problem_responses(401, 403, 404, 503),
    )
    async def delete_endpoint(
        self,
        merchant_id: FromPath[str],
        endpoint_id: FromPath[str],
        principal: FromDishka[Principal],
        service: FromDishka[WebhookService],
    ) -> Response[None]:
        await service.delete_endpoint(principal, merchant_id, endpoint_id)
        return Response(content=None, status_code=204)

    @get(
        "/{endpoint_id:str}/deliveries",
        summary="Delivery attempts to the endpoint, newest first",
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def list_deliveries(
        self,
        merchant_id: FromPath[str],
        endpoint_id: FromPath[str],
        principal: FromDishka[Principal],
        service: FromDishka[WebhookService],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> DeliveryList:
        page = await service.list_deliveries(
            principal, merchant_id, endpoint_id, cursor=cursor, limit=limit
        )
        return DeliveryList(
            items=[DeliveryOut.of(a) for a in page.items], next_cursor=page.next_cursor
        )
