"""Wire shapes of budgets, goals and net worth: amounts are integer minor units + currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from core.domain.budgets import Budget, BudgetProgress
from core.domain.goals import Goal, GoalStatus
from core.domain.net_worth import NetWorthSnapshot
from core.domain.personal import MAX_MINOR_UNITS, Page

__all__ = [
    "BudgetIn",
    "BudgetListOut",
    "BudgetOut",
    "BudgetPatch",
    "BudgetProgressOut",
    "CategoryProgressOut",
    "CurrencyTotalOut",
    "GoalIn",
    "GoalListOut",
    "GoalOut",
    "GoalPatch",
    "SnapshotIn",
    "SnapshotListOut",
    "SnapshotOut",
]

Minor = Annotated[int, msgspec.Meta(ge=0, le=MAX_MINOR_UNITS)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Categories = Annotated[dict[str, Minor], msgspec.Meta(min_length=1, max_length=100)]


class BudgetIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    period_start: date
    period_end: date
    categories: Categories
    currency: Currency = "USD"
    rollover: bool = False


class BudgetPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    period_start: date | UnsetType = UNSET
    period_end: date | UnsetType = UNSET
    categories: Categories | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    rollover: bool | UnsetType = UNSET


class BudgetOut(msgspec.Struct):
    id: str
    name: str
    currency: str
    period_start: date
    period_end: date
    categories: dict[str, int]
    rollover: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, b: Budget) -> BudgetOut:
        return cls(
            id=b.id,
            name=b.name,
            currency=b.currency,
            period_start=b.period_start,
            period_end=b.period_end,
            categories=dict(b.categories),
            rollover=b.rollover,
            created_at=b.created_at,
            updated_at=b.updated_at,
            deleted_at=b.deleted_at,
        )


class BudgetListOut(msgspec.Struct):
    items: list[BudgetOut]
    page: int
    page_size: int
    total: int
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[Budget]) -> BudgetListOut:
        return cls(
            items=[BudgetOut.of(b) for b in page.items],
            page=page.page,
            page_size=page.page_size,
            total=page.total,
            next_cursor=page.next_cursor,
        )


class CategoryProgressOut(msgspec.Struct):
    category: str
    budgeted: int
    spent: int
    remaining: int
    percent_used: str | None
    transaction_count: int


class BudgetProgressOut(msgspec.Struct):
    budget_id: str
    name: str
    currency: str
    period_start: date
    period_end: date
    include_pending: bool
    categories: list[CategoryProgressOut]
    total_budgeted: int
    total_spent: int
    total_remaining: int
    unbudgeted_spent: int
    transactions_counted: int
    other_currency_transactions: int

    @classmethod
    def of(cls, p: BudgetProgress) -> BudgetProgressOut:
        return cls(
            budget_id=p.budget.id,
            name=p.budget.name,
            currency=p.budget.currency,
            period_start=p.budget.period_start,
            period_end=p.budget.period_end,
            include_pending=p.include_pending,
            categories=[
                CategoryProgressOut(
                    category=c.category,
                    budgeted=c.budgeted,
                    spent=c.spent,
                    remaining=c.remaining,
                    percent_used=None if c.percent_used is None else str(c.percent_used),
                    transaction_count=c.transaction_count,
                )
                for c in p.categories
            ],
            total_budgeted=p.total_budgeted,
            total_spent=p.total_spent,
            total_remaining=p.total_remaining,
            unbudgeted_spent=p.unbudgeted_spent,
            transactions_counted=p.transactions_counted,
            other_currency_transactions=p.other_currency_transactions,
        )


class GoalIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    target_amount: Annotated[int, msgspec.Meta(ge=1, le=MAX_MINOR_UNITS)]
    current_amount: Minor = 0
    currency: Currency = "USD"
    target_date: date | None = None


class GoalPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    target_amount: Annotated[int, msgspec.Meta(ge=1, le=MAX_MINOR_UNITS)] | UnsetType = UNSET
    current_amount: Minor | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    target_date: date | UnsetType | None = UNSET


class GoalOut(msgspec.Struct):
    id: str
    name: str
    target_amount: int
    current_amount: int
    currency: str
    target_date: date | None
    status: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, g: Goal, status: GoalStatus) -> GoalOut:
        return cls(
            id=g.id,
            name=g.name,
            target_amount=g.target_amount,
            current_amount=g.current_amount,
            currency=g.currency,
            target_date=g.target_date,
            status=status.value,
            created_at=g.created_at,
            updated_at=g.updated_at,
            deleted_at=g.deleted_at,
        )


class GoalListOut(msgspec.Struct):
    items: list[GoalOut]
    page: int
    page_size: int
    total: int
    next_cursor: str | None


class SnapshotIn(msgspec.Struct, forbid_unknown_fields=True):
    """``{}`` computes from linked accounts; ``{assets, liabilities[, currency]}`` records them."""

    assets: Minor | None = None
    liabilities: Minor | None = None
    currency: Currency | None = None
    as_of: date | None = None


class CurrencyTotalOut(msgspec.Struct):
    currency: str
    assets: int
    liabilities: int
    net_worth: int


class SnapshotOut(msgspec.Struct):
    id: str
    as_of: date
    source: str
    totals: list[CurrencyTotalOut]
    created_at: datetime

    @classmethod
    def of(cls, s: NetWorthSnapshot) -> SnapshotOut:
        return cls(
            id=s.id,
            as_of=s.as_of,
            source=s.source.value,
            totals=[
                CurrencyTotalOut(
                    currency=t.currency,
                    assets=t.assets,
                    liabilities=t.liabilities,
                    net_worth=t.net_worth,
                )
                for t in s.totals
            ],
            created_at=s.created_at,
        )


class SnapshotListOut(msgspec.Struct):
    items: list[SnapshotOut]
    next_cursor: str | None
