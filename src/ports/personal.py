"""Storage of the caller's budgets, goals and net-worth snapshots (always scoped by user)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from core.domain.budgets import Budget
from core.domain.goals import Goal
from core.domain.net_worth import NetWorthSnapshot
from core.domain.personal import ListQuery


class BudgetRepository(Protocol):
    async def add(self, budget: Budget) -> None:
        """Insert a new budget (its id is fresh)."""
        ...

    async def get(self, user_id: str, budget_id: str, *, include_deleted: bool) -> Budget | None:
        """The user's budget, or None (absent, another user's, or deleted unless asked)."""
        ...

    async def list(self, user_id: str, query: ListQuery) -> tuple[list[Budget], int]:
        """One page of the user's budgets and the total count matching the query."""
        ...

    async def replace(self, budget: Budget, expected_version: int) -> bool:
        """Write ``budget`` if the stored row is live and still at ``expected_version``."""
        ...

    async def set_deleted(
        self, user_id: str, budget_id: str, deleted_at: datetime | None, updated_at: datetime
    ) -> bool:
        """Soft-delete (``deleted_at`` set) or restore (None); False when nothing changed."""
        ...


class GoalRepository(Protocol):
    async def add(self, goal: Goal) -> None:
        """Insert a new goal (its id is fresh)."""
        ...

    async def get(self, user_id: str, goal_id: str, *, include_deleted: bool) -> Goal | None:
        """The user's goal, or None (absent, another user's, or deleted unless asked)."""
        ...

    async def list(self, user_id: str, query: ListQuery) -> tuple[list[Goal], int]:
        """One page of the user's goals and the total count matching the query."""
        ...

    async def replace(self, goal: Goal, expected_version: int) -> bool:
        """Write ``goal`` if the stored row is live and still at ``expected_version``."""
        ...

    async def set_deleted(
        self, user_id: str, goal_id: str, deleted_at: datetime | None, updated_at: datetime
    ) -> bool:
        """Soft-delete (``deleted_at`` set) or restore (None); False when nothing changed."""
        ...


class NetWorthRepository(Protocol):
    async def add(self, snapshot: NetWorthSnapshot) -> None:
        """Insert a snapshot."""
        ...

    async def between(
        self, user_id: str, start: date | None, end: date | None, *, after: str | None, limit: int
    ) -> list[NetWorthSnapshot]:
        """The user's snapshots by ``as_of`` then id, after the cursor key, at most ``limit``."""
        ...
