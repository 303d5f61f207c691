"""``/v1/calc``: cashflow maths, pure and stateless (no storage, no audit)."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka
from litestar import Controller, post
from litestar.params import JSONBody

from core.domain import cashflow
from core.domain.identity import Principal
from entrypoints.http.bearer_guard import require_principal
from entrypoints.http.dto.calc import (
    AmortizationRequest,
    AmortizationResponse,
    AmortizationRowOut,
    DatedFlowIn,
    IrrRequest,
    IrrResponse,
    NpvRequest,
    NpvResponse,
    XirrRequest,
    XirrResponse,
    XnpvRequest,
    XnpvResponse,
)
from entrypoints.http.errors import problem_responses

__all__ = ["CalcController"]


def _dated(flows: list[DatedFlowIn]) -> list[cashflow.DatedCashflow]:
    return [cashflow.DatedCashflow(f.date, f.amount) for f in flows]


class CalcController(Controller):
    """The maths lives in ``core.domain.cashflow``; these handlers only translate the wire."""

    path = "/v1/calc"
    tags = ["calculations"]
    security = [{"BearerToken": []}]  # every /v1 route needs the access token
    guards = [require_principal]  # 401 before the body or query is even parsed

    @post(
        "/npv",
        status_code=200,
        summary="Net present value (first cashflow at t = 0, undiscounted)",
        responses=problem_responses(400, 401),
    )
    async def npv(
        self, data: JSONBody[NpvRequest], principal: FromDishka[Principal]
    ) -> NpvResponse:
        return NpvResponse(npv=cashflow.significant(cashflow.npv(data.rate, data.cashflows)))

    @post(
        "/irr",
        status_code=200,
        summary="Internal rate of return per period (the root nearest zero)",
        responses=problem_responses(400, 401, 422),
    )
    async def irr(
        self, data: JSONBody[IrrRequest], principal: FromDishka[Principal]
    ) -> IrrResponse:
        return IrrResponse(irr=cashflow.significant(cashflow.irr(data.cashflows)))

    @post(
        "/xnpv",
        status_code=200,
        summary="Net present value of dated cashflows (actual/365 from the earliest date)",
        responses=problem_responses(400, 401),
    )
    async def xnpv(
        self, data: JSONBody[XnpvRequest], principal: FromDishka[Principal]
    ) -> XnpvResponse:
        value = cashflow.xnpv(data.rate, _dated(data.cashflows))
        return XnpvResponse(xnpv=cashflow.significant(value))

    @post(
        "/xirr",
        status_code=200,
        summary="Annual internal rate of return of dated cashflows",
        responses=problem_responses(400, 401, 422),
    )
    async def xirr(
        self, data: JSONBody[XirrRequest], principal: FromDishka[Principal]
    ) -> XirrResponse:
        value = cashflow.xirr(_dated(data.cashflows), data.rate)
        return XirrResponse(xirr=cashflow.significant(value))

    @post(
        "/amortization",
        status_code=200,
        summary="Level-payment loan schedule; amounts rounded to `decimals`, ends at zero",
        responses=problem_responses(400, 401),
    )
    async def amortization(
        self, data: JSONBody[AmortizationRequest], principal: FromDishka[Principal]
    ) -> AmortizationResponse:
        schedule = cashflow.amortization(
            data.principal, data.annual_rate, data.months, decimals=data.decimals
        )
        return AmortizationResponse(
            payment=cashflow.significant(schedule.payment),
            schedule=[
                AmortizationRowOut(
                    month=r.month,
                    payment=format(r.payment, "f"),
                    interest=format(r.interest, "f"),
                    principal=format(r.principal, "f"),
                    balance=format(r.balance, "f"),
                )
                for r in schedule.rows
            ],
        )
