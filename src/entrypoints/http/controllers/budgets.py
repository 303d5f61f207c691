"""``/v1/budgets``: the caller's budgets (CRUD, soft delete, restore) and their progress."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET

from core.domain.budgets import BUDGET_ORDER, BudgetChanges
from core.domain.identity import Principal
from core.domain.personal import ListQuery
from core.services.budgets import BudgetService
from entrypoints.http.bearer_guard import require_principal
from entrypoints.http.dto.personal import (
    BudgetIn,
    BudgetListOut,
    BudgetOut,
    BudgetPatch,
    BudgetProgressOut,
)
from entrypoints.http.errors import problem_responses

__all__ = ["BudgetController"]


class BudgetController(Controller):
    path = "/v1/budgets"
    tags = ["personal finance"]
    security = [{"BearerToken": []}]  # every /v1 route needs the access token
    guards = [require_principal]  # 401 before the body or query is even parsed

    @post("/", summary="Create a budget", responses=problem_responses(400, 401))
    async def create(
        self,
        data: JSONBody[BudgetIn],
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
    ) -> Response[BudgetOut]:
        budget = await budgets.create(
            principal,
            name=data.name,
            period_start=data.period_start,
            period_end=data.period_end,
            categories=data.categories,
            currency=data.currency,
            rollover=data.rollover,
        )
        return Response(BudgetOut.of(budget), status_code=201)

    @get(
        "/",
        summary="The caller's budgets: paged, searchable by name, ordered",
        responses=problem_responses(400, 401),
    )
    async def list(
        self,
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 50,
        q: FromQuery[str | None] = None,
        order_by: FromQuery[str | None] = None,
        order_dir: FromQuery[str | None] = None,
        include_deleted: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
    ) -> BudgetListOut:
        query = ListQuery.create(
            allowed_order=BUDGET_ORDER,
            page=page,
            page_size=page_size,
            q=q,
            order_by=order_by,
            order_dir=order_dir,
            include_deleted=include_deleted,
            cursor=cursor,
        )
        return BudgetListOut.of(await budgets.list(principal, query))

    @get("/{budget_id:str}", summary="One budget", responses=problem_responses(401, 404))
    async def get_one(
        self,
        budget_id: FromPath[str],
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
        include_deleted: FromQuery[bool] = False,
    ) -> BudgetOut:
        budget = await budgets.get(principal, budget_id, include_deleted=include_deleted)
        return BudgetOut.of(budget)

    @patch(
        "/{budget_id:str}",
        summary="Change some fields of a budget (categories are replaced whole)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def update(
        self,
        budget_id: FromPath[str],
        data: JSONBody[BudgetPatch],
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
    ) -> BudgetOut:
        changes = BudgetChanges(
            name=None if data.name is UNSET else data.name,
            currency=None if data.currency is UNSET else data.currency,
            period_start=None if data.period_start is UNSET else data.period_start,
            period_end=None if data.period_end is UNSET else data.period_end,
            categories=None if data.categories is UNSET else data.categories,
            rollover=None if data.rollover is UNSET else data.rollover,
        )
        return BudgetOut.of(await budgets.update(principal, budget_id, changes))

    @delete(
        "/{budget_id:str}",
        summary="Soft-delete a budget (restorable)",
        responses=problem_responses(401, 404),
    )
    async def remove(
        self,
        budget_id: FromPath[str],
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
    ) -> None:
        await budgets.delete(principal, budget_id)

    @post(
        "/{budget_id:str}/restore",
        status_code=200,
        summary="Restore a soft-deleted budget",
        responses=problem_responses(401, 404),
    )
    async def restore(
        self,
        budget_id: FromPath[str],
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
    ) -> BudgetOut:
        return BudgetOut.of(await budgets.restore(principal, budget_id))

    @get(
        "/{budget_id:str}/progress",
        summary="Spending per category from linked bank transactions in the budget's period",
        responses=problem_responses(401, 404, 409),
    )
    async def progress(
        self,
        budget_id: FromPath[str],
        principal: FromDishka[Principal],
        budgets: FromDishka[BudgetService],
        include_pending: FromQuery[bool] = True,
    ) -> BudgetProgressOut:
        result = await budgets.progress(principal, budget_id, include_pending=include_pending)
        return BudgetProgressOut.of(result)
