"""Budgets, goals and net worth rules: validation, category mapping, progress, totals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.domain.budgets import (
    Budget,
    SpendingItem,
    canonical_category,
    category_key,
    measure_progress,
    validate_budget,
)
from core.domain.errors import ValidationFailed
from core.domain.goals import Goal, GoalStatus, goal_status, validate_goal
from core.domain.net_worth import AccountBalance, totals_from_accounts
from core.domain.personal import ListQuery, Page, decode_cursor, to_minor_units
from tests.personal_fakes import checking, credit_card

NOW = datetime(2026, 1, 31, tzinfo=UTC)


def budget(**categories: int) -> Budget:
    return Budget(
        id="bud_1",
        user_id="usr_1",
        name="January",
        currency="USD",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        categories=tuple(categories.items()),
        rollover=False,
        created_at=NOW,
        updated_at=NOW,
    )


def spend(day: int, amount: str, category: str | None, **kw: object) -> SpendingItem:
    return SpendingItem(
        date=date(2026, 1, day) if day else date(2025, 12, 31),
        amount=Decimal(amount),
        currency=str(kw.get("currency", "USD")),
        category=category,
        pending=bool(kw.get("pending", False)),
    )


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_a_budget_needs_a_later_end_categories_and_non_negative_amounts() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_budget(
            name=" ",
            currency="usd",
            period_start=date(2026, 1, 31),
            period_end=date(2026, 1, 1),
            categories={},
        )
    assert fields(info) == {"name", "currency", "period_end", "categories"}
    with pytest.raises(ValidationFailed) as info:
        validate_budget(
            name="x",
            currency="USD",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 1),
            categories={"Food": -1, "food ": 5, "": 3},
        )
    assert fields(info) == {"period_end", "categories.Food", "categories.food ", "categories."}


def test_a_valid_budget_keeps_its_category_order_and_trims_names() -> None:
    name, categories = validate_budget(
        name="  Jan  ",
        currency="EUR",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        categories={"Rent": 100_000, " Groceries ": 0},
    )
    assert name == "Jan"
    assert categories == (("Rent", 100_000), ("Groceries", 0))


@pytest.mark.parametrize(
    ("provider", "canonical"),
    [
        ("groceries", "groceries"),  # Teller
        ("dining", "dining"),
        ("fuel", "transport"),
        ("utilities", "utilities"),
        ("FOOD_AND_DRINK", "dining"),  # Plaid personal finance category, primary
        ("FOOD_AND_DRINK_GROCERIES", "groceries"),  # ... and detailed
        ("TRANSPORTATION", "transport"),
        ("RENT_AND_UTILITIES", "utilities"),
        ("GENERAL_MERCHANDISE", "shopping"),
        ("INCOME", "income"),
        ("TRANSFER_OUT", "transfer"),
        ("Food and Drink", "dining"),  # Plaid legacy
        ("Eating out", "dining"),  # a user's own name
        ("Pets", "pets"),  # unknown names stand for themselves
        (None, None),
    ],
)
def test_provider_categories_fold_onto_canonical_ones(
    provider: str | None, canonical: str | None
) -> None:
    assert canonical_category(provider) == canonical


def test_category_keys_ignore_case_spaces_and_punctuation() -> None:
    assert category_key(" Food & Drink ") == "food_drink"
    assert category_key("FOOD_AND_DRINK") == "food_and_drink"


def test_progress_nets_refunds_and_maps_provider_categories_to_budget_ones() -> None:
    b = budget(Groceries=40_000, **{"Eating out": 15_000}, Travel=0)
    progress = measure_progress(
        b,
        [
            spend(3, "-120.50", "groceries"),
            spend(4, "-30.25", "FOOD_AND_DRINK_GROCERIES"),
            spend(5, "10.00", "groceries"),  # a refund
            spend(6, "-45.67", "dining"),
            spend(7, "-12.00", "FOOD_AND_DRINK"),
            spend(8, "-99.99", "shopping"),  # not in the budget
            spend(9, "2500.00", "income"),  # money in, not spending
            spend(10, "-500.00", "TRANSFER_OUT"),  # moving money is not spending
            spend(0, "-1000.00", "groceries"),  # before the period
            spend(11, "-5.00", "groceries", currency="EUR"),
        ],
    )
    rows = {r.category: r for r in progress.categories}
    assert rows["Groceries"].spent == 14_075
    assert rows["Groceries"].remaining == 25_925
    assert rows["Groceries"].transaction_count == 3
    assert rows["Groceries"].percent_used == Decimal("35.19")
    assert rows["Eating out"].spent == 5_767
    assert rows["Travel"].percent_used is None
    assert progress.total_budgeted == 55_000
    assert progress.total_spent == 19_842
    assert progress.total_remaining == 35_158
    assert progress.unbudgeted_spent == 9_999
    assert progress.other_currency_transactions == 1


def test_an_exact_category_name_wins_over_the_canonical_mapping() -> None:
    b = budget(Fuel=10_000, Transport=20_000)
    progress = measure_progress(b, [spend(2, "-40", "fuel"), spend(3, "-2.5", "TRANSPORTATION")])
    rows = {r.category: r.spent for r in progress.categories}
    assert rows == {"Fuel": 4_000, "Transport": 250}


def test_pending_transactions_count_unless_excluded() -> None:
    b = budget(Groceries=10_000)
    items = [spend(2, "-10", "groceries"), spend(3, "-5", "groceries", pending=True)]
    assert measure_progress(b, items).total_spent == 1_500
    assert measure_progress(b, items, include_pending=False).total_spent == 1_000


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("-45.67", "USD", -4567), ("1234", "JPY", 1234), ("1.2345", "KWD", 1234), ("0.005", "USD", 0)],
)
def test_decimal_amounts_become_minor_units_of_their_currency(
    amount: str, currency: str, minor: int
) -> None:
    assert to_minor_units(Decimal(amount), currency) == minor


def test_net_worth_is_assets_minus_liabilities_per_currency() -> None:
    totals = totals_from_accounts(
        [
            checking("1500.25"),
            AccountBalance("depository", "savings", Decimal("10000"), "USD"),
            credit_card("320.10"),
            AccountBalance("loan", "mortgage", Decimal("150000"), "USD"),
            AccountBalance("investment", "brokerage", Decimal("2000"), "EUR"),
            checking("-50", "EUR"),  # overdrawn
        ]
    )
    by_currency = {t.currency: t for t in totals}
    assert [t.currency for t in totals] == ["EUR", "USD"]
    assert by_currency["USD"].assets == 1_150_025
    assert by_currency["USD"].liabilities == 15_032_010
    assert by_currency["USD"].net_worth == 1_150_025 - 15_032_010
    assert by_currency["EUR"].assets == 195_000
    assert by_currency["EUR"].liabilities == 0


def test_goal_status_is_derived_from_amounts_and_date() -> None:
    goal = Goal(
        id="gol_1",
        user_id="usr_1",
        name="Car",
        target_amount=100,
        current_amount=10,
        currency="USD",
        target_date=date(2026, 6, 1),
        created_at=NOW,
        updated_at=NOW,
    )
    assert goal_status(goal, date(2026, 1, 1)) is GoalStatus.ACTIVE
    assert goal_status(goal, date(2026, 7, 1)) is GoalStatus.OVERDUE
    import attrs

    assert goal_status(attrs.evolve(goal, current_amount=100), date(2026, 7, 1)) is (
        GoalStatus.ACHIEVED
    )


def test_goal_validation_collects_every_problem() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_goal(name="", target_amount=-1, current_amount=-5, currency="dollars")
    assert fields(info) == {"name", "target_amount", "current_amount", "currency"}
    with pytest.raises(ValidationFailed) as info:
        validate_goal(name="x", target_amount=0, current_amount=0, currency="USD")
    assert fields(info) == {"target_amount"}


def test_list_queries_validate_and_cursors_round_trip() -> None:
    query = ListQuery.create(
        allowed_order=("created_at", "name"), page=2, page_size=10, q="  a  b "
    )
    assert (query.offset, query.q, query.order_dir) == (10, "a b", "asc")
    page: Page[int] = Page(items=(1,) * 10, page=2, page_size=10, total=35)
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor) == 3
    assert Page(items=(), page=4, page_size=10, total=35).next_cursor is None
    for bad in (
        {"page": 0},
        {"page_size": 201},
        {"order_by": "password"},
        {"order_dir": "sideways"},
        {"cursor": "garbage!"},
    ):
        with pytest.raises(ValidationFailed):
            ListQuery.create(allowed_order=("created_at",), **bad)  # type: ignore[arg-type]
