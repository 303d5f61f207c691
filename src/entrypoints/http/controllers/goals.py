"""``/v1/goals``: the caller's savings goals (CRUD, soft delete, restore)."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET

from core.domain.goals import GOAL_ORDER, KEEP, Goal, GoalChanges
from core.domain.identity import Principal
from core.domain.personal import ListQuery
from core.services.goals import GoalService
from entrypoints.http.bearer_guard import require_principal
from entrypoints.http.dto.personal import GoalIn, GoalListOut, GoalOut, GoalPatch
from entrypoints.http.errors import problem_responses

__all__ = ["GoalController"]


def _out(goals: GoalService, goal: Goal) -> GoalOut:
    return GoalOut.of(goal, goals.status(goal))


class GoalController(Controller):
    path = "/v1/goals"
    tags = ["personal finance"]
    security = [{"BearerToken": []}]  # every /v1 route needs the access token
    guards = [require_principal]  # 401 before the body or query is even parsed

    @post("/", summary="Create a savings goal", responses=problem_responses(400, 401))
    async def create(
        self,
        data: JSONBody[GoalIn],
        principal: FromDishka[Principal],
        goals: FromDishka[GoalService],
    ) -> Response[GoalOut]:
        goal = await goals.create(
            principal,
            name=data.name,
            target_amount=data.target_amount,
            current_amount=data.current_amount,
            currency=data.currency,
            target_date=data.target_date,
        )
        return Response(_out(goals, goal), status_code=201)

    @get(
        "/",
        summary="The caller's goals: paged, searchable by name, ordered",
        responses=problem_responses(400, 401),
    )
    async def list(
        self,
        principal: FromDishka[Principal],
        goals: FromDishka[GoalService],
        page: FromQuery[int] = 1,
        page_size: FromQuery[int] = 50,
        q: FromQuery[str | None] = None,
        order_by: FromQuery[str | None] = None,
        order_dir: FromQuery[str | None] = None,
        include_deleted: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
    ) -> GoalListOut:
        query = ListQuery.create(
            allowed_order=GOAL_ORDER,
            page=page,
            page_size=page_size,
            q=q,
            order_by=order_by,
            order_dir=order_dir,
            include_deleted=include_deleted,
            cursor=cursor,
        )
        found = await goals.list(principal, query)
        return GoalListOut(
            items=[_out(goals, g) for g in found.items],
            page=found.page,
            page_size=found.page_size,
            total=found.total,
            next_cursor=found.next_cursor,
        )

    @get("/{goal_id:str}", summary="One goal", responses=problem_responses(401, 404))
    async def get_one(
        self,
        goal_id: FromPath[str],
        principal: FromDishka[Principal],
        goals: FromDishka[GoalService],
        include_deleted: FromQuery[bool] = False,
    ) -> GoalOut:
        return _out(goals, await goals.get(principal, goal_id, include_deleted=include_deleted))

    @patch(
        "/{goal_id:str}",
        summary="Change some fields of a goal (target_date may be set to null)",
        responses=problem_responses(400, 401, 404, 409),
    )
    async def update(
        self,
        goal_id: FromPath[str],
        data: JSONBody[GoalPatch],
        principal: FromDishka[Principal],
        goals: FromDishka[GoalService],
    ) -> GoalOut:
        changes = GoalChanges(
            name=None if data.name is UNSET else data.name,
            target_amount=None if data.target_amount is UNSET else data.target_amount,
            current_amount=None if data.current_amount is UNSET else data.current_amount,
            currency=None if data.currency is UNSET else data.currency,
            target_date=KEEP if data.target_date is UNSET else data.target_date,
        )
        return _out(goals, await goals.update(principal, goal_id, changes))

    @delete(
        "/{goal_id:str}",
        summary="Soft-delete a goal (restorable)",
        responses=problem_responses(401, 404),
    )
    async def remove(
        self,
        goal_id: FromPath[str],
        principal: FromDishka[Principal],
        goals: FromDishka[GoalService],
    ) -> None:
        await goals.delete(principal, goal_id)

    @post(
        "/{goal_id:str}/restore",
        status_code=200,
        summary="Restore a soft-deleted goal",
        responses=problem_responses(401, 404),
    )
    async def restore(
        self,
        goal_id: FromPath[str],
        principal: FromDishka[Principal],
        goals: FromDishka[GoalService],
    ) -> GoalOut:
        return _out(goals, await goals.restore(principal, goal_id))
