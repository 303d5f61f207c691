"""Budget, goal and net-worth repositories behave the same on every store."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from adapters.sql.migrator import Migrator
from adapters.sql.net_worth import SqlNetWorthRepository
from adapters.sql.personal import SqlBudgetRepository, SqlGoalRepository
from core.domain.budgets import Budget
from core.domain.goals import Goal
from core.domain.net_worth import CurrencyTotal, NetWorthSnapshot, SnapshotSource
from core.domain.personal import MAX_MINOR_UNITS, ListQuery
from ports.sql import SqlExecutor
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio

NOW = FakeClock().now()
BUDGET_ORDER = ("created_at", "name", "period_start")
GOAL_ORDER = ("created_at", "name", "target_date", "target_amount")


@pytest.fixture
async def store(executor: SqlExecutor) -> SqlExecutor:
    await Migrator(executor).migrate()
    return executor


def a_budget(n: int, name: str, user: str = "usr_a") -> Budget:
    return Budget(
        id=f"bud_{n:04d}",
        user_id=user,
        name=name,
        currency="USD",
        period_start=date(2026, 1, 1) + timedelta(days=n),
        period_end=date(2026, 12, 31),
        categories=(("Épicerie", MAX_MINOR_UNITS), ("Rent", 0)),
        rollover=n % 2 == 0,
        created_at=NOW + timedelta(seconds=n),
        updated_at=NOW + timedelta(seconds=n),
    )


def a_goal(n: int, target_date: date | None, user: str = "usr_a") -> Goal:
    return Goal(
        id=f"gol_{n:04d}",
        user_id=user,
        name=f"Goal {n}",
        target_amount=MAX_MINOR_UNITS - n,
        current_amount=n,
        currency="EUR",
        target_date=target_date,
        created_at=NOW + timedelta(seconds=n),
        updated_at=NOW + timedelta(seconds=n),
    )


async def test_a_budget_round_trips_exactly_and_only_for_its_owner(store: SqlExecutor) -> None:
    repo = SqlBudgetRepository(store)
    budget = a_budget(1, "Budget — 2026 ✓")
    await repo.add(budget)
    assert await repo.get("usr_a", budget.id, include_deleted=False) == budget
    assert await repo.get("usr_b", budget.id, include_deleted=True) is None


async def test_a_replace_wins_only_at_the_expected_version(store: SqlExecutor) -> None:
    repo = SqlBudgetRepository(store)
    budget = a_budget(1, "Jan")
    await repo.add(budget)
    renamed = attrs.evolve(budget, name="Feb", version=2)
    assert await repo.replace(renamed, expected_version=1) is True
    assert await repo.replace(attrs.evolve(budget, name="Mar", version=2), 1) is False
    assert (await repo.get("usr_a", budget.id, include_deleted=False)).name == "Feb"  # type: ignore[union-attr]


async def test_soft_delete_and_restore_each_change_a_row_once(store: SqlExecutor) -> None:
    repo = SqlGoalRepository(store)
    goal = a_goal(1, None)
    await repo.add(goal)
    assert await repo.set_deleted("usr_a", goal.id, NOW, NOW) is True
    assert await repo.set_deleted("usr_a", goal.id, NOW, NOW) is False
    assert await repo.get("usr_a", goal.id, include_deleted=False) is None
    deleted = await repo.get("usr_a", goal.id, include_deleted=True)
    assert deleted is not None
    assert deleted.deleted_at == NOW
    assert await repo.replace(attrs.evolve(goal, version=deleted.version + 1), deleted.version) is (
        False
    )
    assert await repo.set_deleted("usr_a", goal.id, None, NOW) is True
    assert await repo.set_deleted("usr_a", goal.id, None, NOW) is False
    assert await repo.set_deleted("usr_b", goal.id, NOW, NOW) is False


async def test_search_is_case_insensitive_and_treats_wildcards_literally(
    store: SqlExecutor,
) -> None:
    repo = SqlBudgetRepository(store)
    names = ["Food 100%", "food_court", "FOODIE", "Rent", r"back\slash"]
    for n, name in enumerate(names):
        await repo.add(a_budget(n, name))
    await repo.add(a_budget(99, "food for someone else", user="usr_b"))

    async def search(q: str) -> list[str]:
        items, total = await repo.list("usr_a", ListQuery.create(allowed_order=BUDGET_ORDER, q=q))
        assert total == len(items)
        return [b.name for b in items]

    assert await search("food") == ["Food 100%", "food_court", "FOODIE"]
    assert await search("%") == ["Food 100%"]
    assert await search("_") == ["food_court"]
    assert await search("\\") == [r"back\slash"]


async def test_pages_and_orders_with_nulls_last(store: SqlExecutor) -> None:
    repo = SqlGoalRepository(store)
    dates = [date(2026, 5, 1), None, date(2026, 3, 1), None, date(2026, 4, 1)]
    for n, d in enumerate(dates):
        await repo.add(a_goal(n, d))
    for direction, expected in [("asc", [2, 4, 0, 1, 3]), ("desc", [0, 4, 2, 3, 1])]:
        query = ListQuery.create(
            allowed_order=GOAL_ORDER, order_by="target_date", order_dir=direction, page_size=2
        )
        seen: list[int] = []
        for page in (1, 2, 3):
            items, total = await repo.list("usr_a", attrs.evolve(query, page=page))
            assert total == 5
            seen += [int(g.id.split("_")[1]) for g in items]
        assert seen == expected


async def test_snapshots_come_back_by_date_with_keyset_paging(store: SqlExecutor) -> None:
    repo = SqlNetWorthRepository(store)
    for n, day in enumerate([5, 1, 3, 3, 9]):
        await repo.add(
            NetWorthSnapshot(
                id=f"nws_{n:04d}",
                user_id="usr_a",
                as_of=date(2026, 1, day),
                source=SnapshotSource.MANUAL,
                totals=(CurrencyTotal("USD", MAX_MINOR_UNITS, 7), CurrencyTotal("JPY", 1, 0)),
                created_at=NOW,
            )
        )
    everything = await repo.between("usr_a", None, None, after=None, limit=10)
    assert [s.id for s in everything] == [
        "nws_0001",
        "nws_0002",
        "nws_0003",
        "nws_0000",
        "nws_0004",
    ]
    assert everything[0].totals[0].assets == MAX_MINOR_UNITS
    after = await repo.between(
        "usr_a", date(2026, 1, 2), date(2026, 1, 8), after="2026-01-03|nws_0002", limit=10
    )
    assert [s.id for s in after] == ["nws_0003", "nws_0000"]
    assert await repo.between("usr_b", None, None, after=None, limit=10) == []
