"""Merchants: create, list, read, members, balances and the ledger (API.md "Merchants")."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import Principal
from core.domain.ledger import transfer_view
from core.domain.merchants import merchant_view
from core.services.merchants import MerchantService
from entrypoints.http.dto.payments import (
    AddMember,
    BalanceOut,
    Balances,
    CreateMerchant,
    MemberOut,
    MerchantList,
    MerchantOut,
    TransferList,
    TransferOut,
)
from entrypoints.http.errors import problem_responses

__all__ = ["Limit", "MerchantController", "check_cursor"]

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Cursor = Annotated[str | None, QueryParameter(max_length=200)]


def check_cursor(cursor: str | None, prefix: str) -> str | None:
    """Cursors are the id the previous page ended with."""
    if cursor is None:
        return None
    head, sep, tail = cursor.partition("_")
    if head != prefix or not sep or not tail or not tail.isalnum() or len(tail) > 64:
        raise ValidationFailed("invalid cursor", errors=[FieldError("cursor", "not a cursor")])
    return cursor


def _ledger_cursor(cursor: str | None) -> tuple[str, str] | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        text = ""
    posted_at, sep, transfer_id = text.partition("|")
    if not sep or not transfer_id.startswith("trf_"):
        raise ValidationFailed("invalid cursor", errors=[FieldError("cursor", "not a cursor")])
    return posted_at, transfer_id


def _encode_ledger_cursor(posted_at: str, transfer_id: str) -> str:
    raw = f"{posted_at}|{transfer_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _merchant(view: dict[str, Any]) -> MerchantOut:
    return MerchantOut(**view)


class MerchantController(Controller):
    path = "/v1/merchants"
    tags = ["merchants"]

    @post(
        "",
        status_code=201,
        summary="Create a merchant; the caller becomes its owner",
        responses=problem_responses(400, 401),
    )
    async def create(
        self,
        data: JSONBody[CreateMerchant],
        principal: FromDishka[Principal],
        merchants: FromDishka[MerchantService],
    ) -> MerchantOut:
        merchant = await merchants.create(
            principal,
            name=data.name,
            default_currency=data.default_currency,
            currencies=data.currencies,
        )
        return _merchant(merchant_view(merchant))

    @get("", summary="The caller's merchants (admins: all)", responses=problem_responses(400, 401))
    async def list_merchants(
        self,
        principal: FromDishka[Principal],
        merchants: FromDishka[MerchantService],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> MerchantList:
        after = check_cursor(cursor, "mer")
        found = await merchants.page(principal, limit=limit + 1, after=after)
        page = found[:limit]
        next_cursor = page[-1].id if len(found) > limit else None
        return MerchantList(
            items=[_merchant(merchant_view(m)) for m in page], next_cursor=next_cursor
        )

    @get("/{merchant_id:str}", summary="One merchant", responses=problem_responses(401, 404))
    async def get_merchant(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        merchants: FromDishka[MerchantService],
    ) -> MerchantOut:
        return _merchant(merchant_view(await merchants.get(principal, merchant_id)))

    @post(
        "/{merchant_id:str}/members",
        status_code=201,
        summary="Add a member by email (owners and admins)",
        responses=problem_responses(400, 401, 403, 404),
    )
    async def add_member(
        self,
        merchant_id: FromPath[str],
        data: JSONBody[AddMember],
        principal: FromDishka[Principal],
        merchants: FromDishka[MerchantService],
    ) -> MemberOut:
        user_id, role = await merchants.add_member(
            principal, merchant_id, email=data.email, role=data.role
        )
        return MemberOut(merchant_id=merchant_id, user_id=user_id, role=role.value)

    @get(
        "/{merchant_id:str}/balance",
        summary="Balances per currency, derived from the ledger",
        responses=problem_responses(401, 404),
    )
    async def balance(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        merchants: FromDishka[MerchantService],
    ) -> Balances:
        found = await merchants.balances(principal, merchant_id)
        return Balances(
            merchant_id=merchant_id,
            balances=[
                BalanceOut(
                    currency=b.currency, available=b.available, pending=b.pending, settled=b.settled
                )
                for b in found
            ],
        )

    @get(
        "/{merchant_id:str}/ledger",
        summary="Transfers touching the merchant's accounts, newest first",
        responses=problem_responses(400, 401, 404),
    )
    async def ledger(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        merchants: FromDishka[MerchantService],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> TransferList:
        before = _ledger_cursor(cursor)
        found = await merchants.ledger(principal, merchant_id, limit=limit + 1, before=before)
        page = found[:limit]
        next_cursor = (
            _encode_ledger_cursor(page[-1].posted_at, page[-1].id) if len(found) > limit else None
        )
        return TransferList(
            items=[TransferOut(**transfer_view(t)) for t in page], next_cursor=next_cursor
        )
