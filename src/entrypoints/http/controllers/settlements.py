"""Settlements (API.md "Settlements")."""

from __future__ import annotations

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.domain.identity import Principal
from core.domain.settlements import settlement_view
from core.services.idempotency import IdempotencyService
from core.services.settlements import SettlementService
from entrypoints.http.controllers.merchants import Limit, check_cursor
from entrypoints.http.dto.payments import CreateSettlement, SettlementList, SettlementOut
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotent import IdempotencyKey, run_idempotent

__all__ = ["SettlementController"]

Cursor = Annotated[str | None, QueryParameter(max_length=100)]


class SettlementController(Controller):
    path = "/v1/merchants/{merchant_id:str}/settlements"
    tags = ["settlements"]

    @post(
        "",
        status_code=201,
        summary="Settle every captured, unsettled amount of a currency (owners and admins)",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        merchant_id: FromPath[str],
        data: JSONBody[CreateSettlement],
        principal: FromDishka[Principal],
        settlements: FromDishka[SettlementService],
        idempotency: FromDishka[IdempotencyService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[SettlementOut]:
        async def work(operation_id: str) -> dict[str, Any]:
            settlement = await settlements.create(
                principal, merchant_id, currency=data.currency, settlement_id=operation_id
            )
            return settlement_view(settlement)

        return await run_idempotent(
            request,
            idempotency,
            key=idempotency_key,
            principal_id=principal.user_id,
            route="POST /v1/merchants/{merchant_id}/settlements",
            body=data,
            prefix="stl",
            success_status=201,
            work=work,
        )

    @get("", summary="Settlements, newest first", responses=problem_responses(400, 401, 404))
    async def list_settlements(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        settlements: FromDishka[SettlementService],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> SettlementList:
        before = check_cursor(cursor, "stl")
        found = await settlements.page(principal, merchant_id, limit=limit + 1, before=before)
        page = found[:limit]
        return SettlementList(
            items=[SettlementOut(**settlement_view(s)) for s in page],
            next_cursor=page[-1].id if len(found) > limit else None,
        )

    @get("/{settlement_id:str}", summary="One settlement", responses=problem_responses(401, 404))
    async def get_settlement(
        self,
        merchant_id: FromPath[str],
        settlement_id: FromPath[str],
        principal: FromDishka[Principal],
        settlements: FromDishka[SettlementService],
    ) -> SettlementOut:
        found = await settlements.get(principal, merchant_id, settlement_id)
        return SettlementOut(**settlement_view(found))
