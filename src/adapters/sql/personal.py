"""Budgets and goals in the store: one row each, soft delete, optimistic versions.

Listing builds its ORDER BY from a fixed whitelist of column names (never from input) and
binds every value; the name search is a LIKE over the case-folded name with ``%``, ``_`` and
the escape character escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TypeVar

from core.domain.budgets import Budget
from core.domain.goals import Goal
from core.domain.personal import ListQuery
from ports.sql import SqlExecutor, SqlValue, as_int

__all__ = ["SqlBudgetRepository", "SqlGoalRepository"]

T = TypeVar("T")

_BUDGET_COLUMNS = (
    "id, user_id, name, currency, period_start, period_end, categories, rollover,"
    " version, created_at, updated_at, deleted_at"
)
_GOAL_COLUMNS = (
    "id, user_id, name, target_amount, current_amount, currency, target_date,"
    " version, created_at, updated_at, deleted_at"
)
_BUDGET_ORDER = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "name": "name_folded",
    "period_start": "period_start",
    "period_end": "period_end",
}
_GOAL_ORDER = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "name": "name_folded",
    "target_amount": "target_amount",
    "current_amount": "current_amount",
    "target_date": "target_date",
}


def _ts(value: SqlValue) -> datetime:
    return datetime.fromisoformat(str(value))


def _opt_ts(value: SqlValue) -> datetime | None:
    return None if value is None else _ts(value)


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _page(
    sql: SqlExecutor,
    *,
    table: str,
    columns: str,
    order_columns: Mapping[str, str],
    user_id: str,
    query: ListQuery,
    row: Callable[[dict[str, SqlValue]], T],
) -> tuple[list[T], int]:
    where = ["user_id = ?"]
    params: list[SqlValue] = [user_id]
    if not query.include_deleted:
        where.append("deleted_at IS NULL")
    if query.q:
        where.append("name_folded LIKE ? ESCAPE '\\'")
        params.append(_like(query.q))
    clause = " AND ".join(where)
    column = order_columns[query.order_by]  # whitelisted by ListQuery and this mapping
    direction = "DESC" if query.order_dir == "desc" else "ASC"
    # NULLs last in both directions on every store.
    order = f"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, {column} {direction}, id {direction}"
    total = await sql.execute(f"SELECT COUNT(*) FROM {table} WHERE {clause}", params)
    result = await sql.execute(
        f"SELECT {columns} FROM {table} WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, query.page_size, query.offset],
    )
    return [row(r) for r in result.mappings()], as_int(total.scalar())


async def _set_deleted(
    sql: SqlExecutor,
    table: str,
    user_id: str,
    record_id: str,
    deleted_at: datetime | None,
    updated_at: datetime,
) -> bool:
    state = "deleted_at IS NULL" if deleted_at is not None else "deleted_at IS NOT NULL"
    result = await sql.execute(
        f"UPDATE {table} SET deleted_at = ?, updated_at = ?, version = version + 1"
        f" WHERE id = ? AND user_id = ? AND {state}",
        (
            deleted_at.isoformat() if deleted_at else None,
            updated_at.isoformat(),
            record_id,
            user_id,
        ),
    )
    return result.rowcount == 1


def _budget(r: dict[str, SqlValue]) -> Budget:
    categories = json.loads(str(r["categories"]))
    return Budget(
        id=str(r["id"]),
        user_id=str(r["user_id"]),
        name=str(r["name"]),
        currency=str(r["currency"]),
        period_start=date.fromisoformat(str(r["period_start"])),
        period_end=date.fromisoformat(str(r["period_end"])),
        categories=tuple((str(k), int(v)) for k, v in categories),
        rollover=bool(as_int(r["rollover"])),
        version=as_int(r["version"]),
        created_at=_ts(r["created_at"]),
        updated_at=_ts(r["updated_at"]),
        deleted_at=_opt_ts(r["deleted_at"]),
    )


class SqlBudgetRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, budget: Budget) -> None:
        await self._sql.execute(
            "INSERT INTO budgets (id, user_id, name, name_folded, currency, period_start,"
            " period_end, categories, rollover, version, created_at, updated_at, deleted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                budget.id,
                budget.user_id,
                budget.name,
                budget.name.casefold(),
                budget.currency,
                budget.period_start.isoformat(),
                budget.period_end.isoformat(),
                json.dumps([list(c) for c in budget.categories], ensure_ascii=False),
                1 if budget.rollover else 0,
                budget.version,
                budget.created_at.isoformat(),
                budget.updated_at.isoformat(),
                None,
            ),
        )

    async def get(self, user_id: str, budget_id: str, *, include_deleted: bool) -> Budget | None:
        live = "" if include_deleted else " AND deleted_at IS NULL"
        result = await self._sql.execute(
            f"SELECT {_BUDGET_COLUMNS} FROM budgets WHERE id = ? AND user_id = ?{live}",
            (budget_id, user_id),
        )
        first = result.first()
        return _budget(first) if first else None

    async def list(self, user_id: str, query: ListQuery) -> tuple[list[Budget], int]:
        return await _page(
            self._sql,
            table="budgets",
            columns=_BUDGET_COLUMNS,
            order_columns=_BUDGET_ORDER,
            user_id=user_id,
            query=query,
            row=_budget,
        )

    async def replace(self, budget: Budget, expected_version: int) -> bool:
        result = await self._sql.execute(
            "UPDATE budgets SET name = ?, name_folded = ?, currency = ?, period_start = ?,"
            " period_end = ?, categories = ?, rollover = ?, version = ?, updated_at = ?"
            " WHERE id = ? AND user_id = ? AND version = ? AND deleted_at IS NULL",
            (
                budget.name,
                budget.name.casefold(),
                budget.currency,
                budget.period_start.isoformat(),
                budget.period_end.isoformat(),
                json.dumps([list(c) for c in budget.categories], ensure_ascii=False),
                1 if budget.rollover else 0,
                budget.version,
                budget.updated_at.isoformat(),
                budget.id,
                budget.user_id,
                expected_version,
            ),
        )
        return result.rowcount == 1

    async def set_deleted(
        self, user_id: str, budget_id: str, deleted_at: datetime | None, updated_at: datetime
    ) -> bool:
        return await _set_deleted(self._sql, "budgets", user_id, budget_id, deleted_at, updated_at)


def _goal(r: dict[str, SqlValue]) -> Goal:
    target_date = r["target_date"]
    return Goal(
        id=str(r["id"]),
        user_id=str(r["user_id"]),
        name=str(r["name"]),
        target_amount=as_int(r["target_amount"]),
        current_amount=as_int(r["current_amount"]),
        currency=str(r["currency"]),
        target_date=date.fromisoformat(str(target_date)) if target_date else None,
        version=as_int(r["version"]),
        created_at=_ts(r["created_at"]),
        updated_at=_ts(r["updated_at"]),
        deleted_at=_opt_ts(r["deleted_at"]),
    )


class SqlGoalRepository:
    def __init__(self, executor: SqlExecutor) -> None:
        self._sql = executor

    async def add(self, goal: Goal) -> None:
        await self._sql.execute(
            "INSERT INTO goals (id, user_id, name, name_folded, target_amount, current_amount,"
            " currency, target_date, version, created_at, updated_at, deleted_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                goal.id,
                goal.user_id,
                goal.name,
                goal.name.casefold(),
                goal.target_amount,
                goal.current_amount,
                goal.currency,
                goal.target_date.isoformat() if goal.target_date else None,
                goal.version,
                goal.created_at.isoformat(),
                goal.updated_at.isoformat(),
                None,
            ),
        )

    async def get(self, user_id: str, goal_id: str, *, include_deleted: bool) -> Goal | None:
        live = "" if include_deleted else " AND deleted_at IS NULL"
        result = await self._sql.execute(
            f"SELECT {_GOAL_COLUMNS} FROM goals WHERE id = ? AND user_id = ?{live}",
            (goal_id, user_id),
        )
        first = result.first()
        return _goal(first) if first else None

    async def list(self, user_id: str, query: ListQuery) -> tuple[list[Goal], int]:
        return await _page(
            self._sql,
            table="goals",
            columns=_GOAL_COLUMNS,
            order_columns=_GOAL_ORDER,
            user_id=user_id,
            query=query,
            row=_goal,
        )

    async def replace(self, goal: Goal, expected_version: int) -> bool:
        result = await self._sql.execute(
            "UPDATE goals SET name = ?, name_folded = ?, target_amount = ?, current_amount = ?,"
            " currency = ?, target_date = ?, version = ?, updated_at = ?"
            " WHERE id = ? AND user_id = ? AND version = ? AND deleted_at IS NULL",
            (
                goal.name,
                goal.name.casefold(),
                goal.target_amount,
                goal.current_amount,
                goal.currency,
                goal.target_date.isoformat() if goal.target_date else None,
                goal.version,
                goal.updated_at.isoformat(),
                goal.id,
                goal.user_id,
                expected_version,
            ),
        )
        return result.rowcount == 1

    async def set_deleted(
        self, user_id: str, goal_id: str, deleted_at: datetime | None, updated_at: datetime
    ) -> bool:
        return await _set_deleted(self._sql, "goals", user_id, goal_id, deleted_at, updated_at)
