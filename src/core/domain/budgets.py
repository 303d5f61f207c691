"""Budgets: amounts per category over a period, and spending measured against them.

Amounts are integer minor units of the budget's currency (API.md's money convention).
Bank transactions (decimal amounts, negative = money leaving the account) count toward a
budget category when their provider category matches it, in this order: the same name (case,
spaces and punctuation ignored); a budget category named after the transaction's canonical
category; a budget category whose own name maps to that canonical category. The canonical
categories below fold Teller's categories, Plaid's personal-finance categories (primary and
detailed) and common names onto one vocabulary; unknown names stand for themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

import attrs

from core.domain.categories import canonical_category, category_key
from core.domain.errors import FieldError, ValidationFailed
from core.domain.personal import (
    check_amount,
    check_currency,
    check_name,
    to_minor_units,
)

__all__ = [
    "BUDGET_ORDER",
    "MAX_CATEGORIES",
    "Budget",
    "BudgetChanges",
    "BudgetProgress",
    "CategoryProgress",
    "SpendingItem",
    "canonical_category",
    "category_key",
    "measure_progress",
    "validate_budget",
]

MAX_CATEGORIES = 100
MAX_PERIOD_DAYS = 3660
_NOT_SPENDING = frozenset({"income", "transfer"})
BUDGET_ORDER = ("created_at", "updated_at", "name", "period_start", "period_end")


@attrs.frozen
class Budget:
    id: str
    user_id: str
    name: str
    currency: str
    period_start: date
    period_end: date
    categories: tuple[tuple[str, int], ...]
    rollover: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int = 1


def validate_budget(
    *,
    name: str,
    currency: str,
    period_start: date,
    period_end: date,
    categories: Mapping[str, int],
) -> tuple[str, tuple[tuple[str, int], ...]]:
    """Check a budget's fields; returns the trimmed name and the categories in order."""
    errors: list[FieldError] = []

    def collect(check: Callable[[], object]) -> None:
        try:
            check()
        except ValidationFailed as exc:
            errors.extend(exc.errors)

    cleaned: list[tuple[str, int]] = []
    collect(lambda: check_name(name))
    collect(lambda: check_currency(currency))
    if period_end <= period_start:
        errors.append(FieldError("period_end", "must be after period_start"))
    elif (period_end - period_start).days > MAX_PERIOD_DAYS:
        errors.append(FieldError("period_end", "a period spans at most 10 years"))
    if not categories:
        errors.append(FieldError("categories", "give at least one category"))
    if len(categories) > MAX_CATEGORIES:
        errors.append(FieldError("categories", f"at most {MAX_CATEGORIES} categories"))
    seen: set[str] = set()
    for raw, amount in categories.items():
        field = f"categories.{raw}"
        label = raw.strip()
        key = category_key(label)
        if not label or len(label) > 100 or not key:
            errors.append(FieldError(field, "a category name holds 1 to 100 characters"))
            continue
        if key in seen:
            errors.append(FieldError(field, "duplicates another category (case and spaces aside)"))
            continue
        seen.add(key)
        try:
            check_amount(amount, field)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        cleaned.append((label, amount))
    if errors:
        raise ValidationFailed("The budget is not valid: see errors.", errors=errors)
    return name.strip(), tuple(cleaned)


@attrs.frozen
class SpendingItem:
    """One bank transaction as budget progress needs it (negative = money out)."""

    date: date
    amount: Decimal
    currency: str
    category: str | None
    pending: bool


@attrs.frozen
class CategoryProgress:
    category: str
    budgeted: int
    spent: int
    remaining: int
    percent_used: Decimal | None
    transaction_count: int


@attrs.frozen
class BudgetProgress:
    budget: Budget
    categories: tuple[CategoryProgress, ...]
    total_budgeted: int
    total_spent: int
    total_remaining: int
    unbudgeted_spent: int
    transactions_counted: int
    other_currency_transactions: int
    include_pending: bool


def _match(category: str | None, budget_keys: Sequence[tuple[str, str, str | None]]) -> str | None:
    if not category:
        return None
    key = category_key(category)
    for label, budget_key, _ in budget_keys:
        if key == budget_key:
            return label
    canon = canonical_category(category)
    if canon is None:
        return None
    # A budget category named after the canonical one beats one that merely maps to it:
    # TRANSPORTATION goes to "Transport" rather than to "Fuel" when a budget has both.
    for label, budget_key, _ in budget_keys:
        if budget_key == canon:
            return label
    for label, _, budget_canon in budget_keys:
        if canon == budget_canon:
            return label
    return None


def measure_progress(
    budget: Budget, transactions: Iterable[SpendingItem], *, include_pending: bool = True
) -> BudgetProgress:
    """Net spending per budget category over the budget's period (refunds reduce it)."""
    keys = [
        (label, category_key(label), canonical_category(label)) for label, _ in budget.categories
    ]
    spent: dict[str, Decimal] = {label: Decimal(0) for label, _ in budget.categories}
    counts: dict[str, int] = dict.fromkeys(spent, 0)
    unbudgeted = Decimal(0)
    counted = other_currency = 0
    for item in transactions:
        if not budget.period_start <= item.date <= budget.period_end:
            continue
        if item.pending and not include_pending:
            continue
        if item.currency != budget.currency:
            other_currency += 1
            continue
        label = _match(item.category, keys)
        if label is not None:
            spent[label] -= item.amount
            counts[label] += 1
            counted += 1
        elif item.amount < 0 and canonical_category(item.category) not in _NOT_SPENDING:
            unbudgeted -= item.amount
            counted += 1
    rows = []
    for label, budgeted in budget.categories:
        used = to_minor_units(spent[label], budget.currency)
        percent = (
            (Decimal(used) * 100 / budgeted).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
            if budgeted
            else None
        )
        rows.append(
            CategoryProgress(
                category=label,
                budgeted=budgeted,
                spent=used,
                remaining=budgeted - used,
                percent_used=percent,
                transaction_count=counts[label],
            )
        )
    total_budgeted = sum(r.budgeted for r in rows)
    total_spent = sum(r.spent for r in rows)
    return BudgetProgress(
        budget=budget,
        categories=tuple(rows),
        total_budgeted=total_budgeted,
        total_spent=total_spent,
        total_remaining=total_budgeted - total_spent,
        unbudgeted_spent=to_minor_units(unbudgeted, budget.currency),
        transactions_counted=counted,
        other_currency_transactions=other_currency,
        include_pending=include_pending,
    )


@attrs.frozen
class BudgetChanges:
    """A partial update: None leaves a field as it is (none of them can be cleared)."""

    name: str | None = None
    currency: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    categories: Mapping[str, int] | None = None
    rollover: bool | None = None
