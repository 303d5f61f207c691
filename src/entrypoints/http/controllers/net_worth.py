"""``/v1/net-worth``: snapshots computed from linked accounts or given, and their series."""

from __future__ import annotations

from datetime import date

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Response, get, post
from litestar.params import FromQuery, JSONBody

from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import Principal
from core.services.net_worth import ManualTotals, NetWorthService
from entrypoints.http.bearer_guard import require_principal
from entrypoints.http.dto.personal import SnapshotIn, SnapshotListOut, SnapshotOut
from entrypoints.http.errors import problem_responses

__all__ = ["NetWorthController"]


def _manual(data: SnapshotIn) -> ManualTotals | None:
    if data.assets is None and data.liabilities is None:
        if data.currency is not None:
            message = "currency goes with assets and liabilities"
            raise ValidationFailed(message, errors=[FieldError("currency", message)])
        return None
    if data.assets is None or data.liabilities is None:
        missing = "assets" if data.assets is None else "liabilities"
        message = "give both assets and liabilities, or neither to compute them"
        raise ValidationFailed(message, errors=[FieldError(missing, message)])
    return ManualTotals(
        assets=data.assets, liabilities=data.liabilities, currency=data.currency or "USD"
    )


class NetWorthController(Controller):
    path = "/v1/net-worth"
    tags = ["personal finance"]
    security = [{"BearerToken": []}]  # every /v1 route needs the access token
    guards = [require_principal]  # 401 before the body or query is even parsed

    @post(
        "/snapshots",
        summary="Record net worth: computed from linked accounts ({}), or given",
        responses=problem_responses(400, 401, 409),
    )
    async def snapshot(
        self,
        data: JSONBody[SnapshotIn],
        principal: FromDishka[Principal],
        net_worth: FromDishka[NetWorthService],
    ) -> Response[SnapshotOut]:
        snapshot = await net_worth.snapshot(principal, _manual(data), data.as_of)
        return Response(SnapshotOut.of(snapshot), status_code=201)

    @get(
        "/snapshots",
        summary="The caller's snapshots between start and end (as_of dates), oldest first",
        responses=problem_responses(400, 401),
    )
    async def series(
        self,
        principal: FromDishka[Principal],
        net_worth: FromDishka[NetWorthService],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> SnapshotListOut:
        page = await net_worth.series(principal, start, end, limit=limit, cursor=cursor)
        return SnapshotListOut(
            items=[SnapshotOut.of(s) for s in page.items], next_cursor=page.next_cursor
        )
