"""Payments and refunds (API.md "Payments"); every money-moving POST is idempotent."""

from __future__ import annotations

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.domain.identity import Principal
from core.domain.payments import PaymentStatus, payment_view, refund_view
from core.services.idempotency import IdempotencyService
from core.services.payments import PaymentService
from core.services.refunds import RefundService
from entrypoints.http.controllers.merchants import Limit, check_cursor
from entrypoints.http.dto.payments import (
    CapturePayment,
    CreatePayment,
    CreateRefund,
    PaymentList,
    PaymentOut,
    RefundList,
    RefundOut,
)
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotent import IdempotencyKey, run_idempotent

__all__ = ["PaymentController"]

BASE = "/v1/merchants/{merchant_id}/payments"
StatusFilter = Annotated[PaymentStatus | None, QueryParameter()]
Cursor = Annotated[str | None, QueryParameter(max_length=100)]
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 422)


class PaymentController(Controller):
    path = "/v1/merchants/{merchant_id:str}/payments"
    tags = ["payments"]

    @post(
        "",
        status_code=201,
        summary="Create a payment (authorize, or authorize and capture)",
        responses=WRITE_ERRORS,
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        merchant_id: FromPath[str],
        data: JSONBody[CreatePayment],
        principal: FromDishka[Principal],
        payments: FromDishka[PaymentService],
        idempotency: FromDishka[IdempotencyService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PaymentOut]:
        async def work(operation_id: str) -> dict[str, Any]:
            payment = await payments.create(
                principal,
                merchant_id,
                amount=data.amount,
                currency=data.currency,
                description=data.description,
                reference=data.reference,
                capture=data.capture,
                payment_id=operation_id,
            )
            return payment_view(payment)

        return await run_idempotent(
            request,
            idempotency,
            key=idempotency_key,
            principal_id=principal.user_id,
            route=f"POST {BASE}",
            body=data,
            prefix="pay",
            success_status=201,
            work=work,
        )

    @get("", summary="Payments, newest first", responses=problem_responses(400, 401, 404))
    async def list_payments(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        payments: FromDishka[PaymentService],
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> PaymentList:
        before = check_cursor(cursor, "pay")
        found = await payments.page(
            principal, merchant_id, status=status, limit=limit + 1, before=before
        )
        page = found[:limit]
        return PaymentList(
            items=[PaymentOut(**payment_view(p)) for p in page],
            next_cursor=page[-1].id if len(found) > limit else None,
        )

    @get("/{payment_id:str}", summary="One payment", responses=problem_responses(401, 404))
    async def get_payment(
        self,
        merchant_id: FromPath[str],
        payment_id: FromPath[str],
        principal: FromDishka[Principal],
        payments: FromDishka[PaymentService],
    ) -> PaymentOut:
        return PaymentOut(**payment_view(await payments.get(principal, merchant_id, payment_id)))

    @post(
        "/{payment_id:str}/capture",
        status_code=200,
        summary="Capture an authorized payment (all, or part of it)",
        responses=WRITE_ERRORS,
    )
    async def capture(
        self,
        request: Request[Any, Any, Any],
        merchant_id: FromPath[str],
        payment_id: FromPath[str],
        principal: FromDishka[Principal],
        payments: FromDishka[PaymentService],
        idempotency: FromDishka[IdempotencyService],
        idempotency_key: IdempotencyKey = None,
        data: JSONBody[CapturePayment | None] = None,
    ) -> Response[PaymentOut]:
        body = data or CapturePayment()

        async def work(operation_id: str) -> dict[str, Any]:
            payment = await payments.capture(
                principal, merchant_id, payment_id, amount=body.amount, operation_id=operation_id
            )
            return payment_view(payment)

        return await run_idempotent(
            request,
            idempotency,
            key=idempotency_key,
            principal_id=principal.user_id,
            route=f"POST {BASE}/{{payment_id}}/capture",
            body=body,
            prefix="req",
            success_status=200,
            work=work,
        )

    @post(
        "/{payment_id:str}/void",
        status_code=200,
        summary="Void an authorized payment",
        responses=WRITE_ERRORS,
    )
    async def void(
        self,
        request: Request[Any, Any, Any],
        merchant_id: FromPath[str],
        payment_id: FromPath[str],
        principal: FromDishka[Principal],
        payments: FromDishka[PaymentService],
        idempotency: FromDishka[IdempotencyService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PaymentOut]:
        async def work(operation_id: str) -> dict[str, Any]:
            payment = await payments.void(
                principal, merchant_id, payment_id, operation_id=operation_id
            )
            return payment_view(payment)

        return await run_idempotent(
            request,
            idempotency,
            key=idempotency_key,
            principal_id=principal.user_id,
            route=f"POST {BASE}/{{payment_id}}/void",
            body=None,
            prefix="req",
            success_status=200,
            work=work,
        )

    @post(
        "/{payment_id:str}/refunds",
        status_code=201,
        summary="Refund part or all of a captured payment",
        responses=WRITE_ERRORS,
    )
    async def refund(
        self,
        request: Request[Any, Any, Any],
        merchant_id: FromPath[str],
        payment_id: FromPath[str],
        data: JSONBody[CreateRefund],
        principal: FromDishka[Principal],
        refunds: FromDishka[RefundService],
        idempotency: FromDishka[IdempotencyService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RefundOut]:
        async def work(operation_id: str) -> dict[str, Any]:
            refund = await refunds.refund(
                principal,
                merchant_id,
                payment_id,
                amount=data.amount,
                reason=data.reason,
                refund_id=operation_id,
            )
            return refund_view(refund)

        return await run_idempotent(
            request,
            idempotency,
            key=idempotency_key,
            principal_id=principal.user_id,
            route=f"POST {BASE}/{{payment_id}}/refunds",
            body=data,
            prefix="ref",
            success_status=201,
            work=work,
        )

    @get(
        "/{payment_id:str}/refunds",
        summary="The payment's refunds",
        responses=problem_responses(401, 404),
    )
    async def list_refunds(
        self,
        merchant_id: FromPath[str],
        payment_id: FromPath[str],
        principal: FromDishka[Principal],
        refunds: FromDishka[RefundService],
    ) -> RefundList:
        found = await refunds.list_for(principal, merchant_id, payment_id)
        return RefundList(items=[RefundOut(**refund_view(r)) for r in found], next_cursor=None)
