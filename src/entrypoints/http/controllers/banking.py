"""``/v1/banking``: linking bank connections and reading them (the caller's own only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.domain.banking import from_minor_units
from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import Principal
from core.domain.transaction_query import MAX_PAGE_SIZE, SortBy, SortOrder, TransactionQuery
from core.services.balance_history import BalanceHistoryService
from core.services.banking import BankingService
from entrypoints.http.dto.banking import (
    AccountListOut,
    AccountOut,
    BalanceHistoryOut,
    BalanceListOut,
    BalanceOut,
    ConnectionListOut,
    ConnectionOut,
    ExchangeRequest,
    HistoryPointOut,
    IdentityOut,
    LinkOut,
    LinkRequest,
    OwnerOut,
    SnapshotListOut,
    SnapshotOut,
    SnapshotRequest,
    TransactionOut,
    TransactionPageOut,
)
from entrypoints.http.errors import problem_responses

__all__ = ["BankingController"]

Id = Annotated[str | None, QueryParameter(min_length=1, max_length=100)]
Text = Annotated[str | None, QueryParameter(min_length=1, max_length=200)]
Amount = Annotated[str | None, QueryParameter(min_length=1, max_length=40)]
_PROVIDER_ERRORS = (401, 404, 409, 502, 503)


def _amount(name: str, raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise ValidationFailed(
            "The transaction query is not valid",
            errors=[FieldError(name, "must be a non-negative decimal, e.g. 25.00")],
        )
    return value


class BankingController(Controller):
    path = "/v1/banking"
    tags = ["banking"]

    @post("/link", status_code=200, responses=problem_responses(400, 401, 502, 503))
    async def link(
        self,
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
        data: JSONBody[LinkRequest | None] = None,
    ) -> LinkOut:
        """Start linking a bank: a link token (Plaid, demo) or enrollment details (Teller)."""
        return LinkOut.of(await banking.link(principal, data.provider if data else None))

    @post("/exchange", status_code=201, responses=problem_responses(400, 401, 409, 502, 503))
    async def exchange(
        self,
        data: JSONBody[ExchangeRequest],
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
    ) -> ConnectionOut:
        """Exchange the link flow's public token for a connection (the token stays here)."""
        return ConnectionOut.of(await banking.exchange(principal, data.public_token, data.provider))

    @get("/connections", responses=problem_responses(401))
    async def connections(
        self, principal: FromDishka[Principal], banking: FromDishka[BankingService]
    ) -> ConnectionListOut:
        return ConnectionListOut(
            items=[ConnectionOut.of(c) for c in await banking.connections(principal)]
        )

    @delete(
        "/connections/{connection_id:str}",
        status_code=204,
        responses=problem_responses(400, 401, 404, 502, 503),
    )
    async def delete_connection(
        self,
        connection_id: FromPath[str],
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
    ) -> None:
        """Revoke the access at the provider and forget the stored token."""
        await banking.delete_connection(principal, connection_id)

    @get("/accounts", responses=problem_responses(400, *_PROVIDER_ERRORS))
    async def accounts(
        self,
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
        connection_id: Id = None,
    ) -> AccountListOut:
        found = await banking.accounts(principal, connection_id)
        return AccountListOut(items=[AccountOut.of(a) for a in found])

    @get("/transactions", responses=problem_responses(400, *_PROVIDER_ERRORS))
    async def transactions(
        self,
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
        connection_id: Id = None,
        account_id: Id = None,
        start_date: Annotated[date | None, QueryParameter()] = None,
        end_date: Annotated[date | None, QueryParameter()] = None,
        min_amount: Amount = None,
        max_amount: Amount = None,
        merchant_name: Text = None,
        category: Text = None,
        exclude_pending: Annotated[bool, QueryParameter()] = False,
        sort_by: Annotated[SortBy, QueryParameter()] = SortBy.DATE,
        sort_order: Annotated[SortOrder, QueryParameter()] = SortOrder.DESC,
        page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = 50,
        cursor: Annotated[str | None, QueryParameter(pattern=r"^[1-9][0-9]{0,6}$")] = None,
    ) -> TransactionPageOut:
        """Filtered, sorted, paged transactions (default: newest first); ``cursor`` = next page."""
        query = TransactionQuery(
            account_id=account_id,
            start_date=start_date,
            end_date=end_date,
            min_amount=_amount("min_amount", min_amount),
            max_amount=_amount("max_amount", max_amount),
            merchant_name=merchant_name,
            category=category,
            exclude_pending=exclude_pending,
            sort_by=sort_by,
            sort_order=sort_order,
            page=int(cursor) if cursor else page,
            page_size=page_size,
        )
        result = await banking.transactions(principal, query, connection_id)
        return TransactionPageOut(
            items=[TransactionOut.of(t) for t in result.items],
            page=result.page,
            page_size=result.page_size,
            total=result.total,
            next_cursor=str(result.page + 1) if result.has_more else None,
        )

    @get("/balances", responses=problem_responses(400, *_PROVIDER_ERRORS))
    async def balances(
        self,
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
        connection_id: Id = None,
    ) -> BalanceListOut:
        found = await banking.balances(principal, connection_id)
        return BalanceListOut(items=[BalanceOut.of(b) for b in found])

    @get("/identity", responses=problem_responses(400, *_PROVIDER_ERRORS))
    async def identity(
        self,
        principal: FromDishka[Principal],
        banking: FromDishka[BankingService],
        connection_id: Id = None,
    ) -> IdentityOut:
        """Account owners as the bank knows them; every call is recorded in the audit trail."""
        owners = await banking.identity(principal, connection_id)
        return IdentityOut(owners=[OwnerOut.of(o) for o in owners])

    @post(
        "/balance-snapshots", status_code=201, responses=problem_responses(400, *_PROVIDER_ERRORS)
    )
    async def snapshot(
        self,
        principal: FromDishka[Principal],
        history: FromDishka[BalanceHistoryService],
        data: JSONBody[SnapshotRequest | None] = None,
    ) -> SnapshotListOut:
        """Record today's balance of every account in scope (once per account and day)."""
        taken = await history.record(principal, data.connection_id if data else None)
        return SnapshotListOut(items=[SnapshotOut.of(s) for s in taken], count=len(taken))

    @get("/balance-history", responses=problem_responses(400, 401, 404))
    async def balance_history(
        self,
        principal: FromDishka[Principal],
        history: FromDishka[BalanceHistoryService],
        account_id: Annotated[str, QueryParameter(min_length=1, max_length=100)],
        start_date: Annotated[date | None, QueryParameter()] = None,
        end_date: Annotated[date | None, QueryParameter()] = None,
    ) -> BalanceHistoryOut:
        rows = await history.history(principal, account_id, start_date, end_date)
        points = [
            HistoryPointOut(s.date, from_minor_units(s.balance, s.currency), s.currency)
            for s in rows
        ]
        return BalanceHistoryOut(account_id=account_id, history=points, count=len(points))
