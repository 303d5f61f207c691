"""Budget use cases: CRUD with soft delete for the caller's own budgets, and progress."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import attrs

from core.domain.budgets import (
    BUDGET_ORDER,
    Budget,
    BudgetChanges,
    BudgetProgress,
    measure_progress,
    validate_budget,
)
from core.domain.errors import Conflict
from core.domain.identity import Principal
from core.domain.net_worth import NoLinkedAccounts
from core.domain.personal import ListQuery, Page, PersonalRecordNotFound
from ports.audit import AuditLog
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.linked_finances import LinkedFinances
from ports.personal import BudgetRepository

__all__ = ["BUDGET_ORDER", "BudgetService"]

_ATTEMPTS = 3


class BudgetService:
    def __init__(
        self,
        repo: BudgetRepository,
        linked: LinkedFinances,
        clock: Clock,
        ids: IdGenerator,
        audit: AuditLog,
    ) -> None:
        self._repo = repo
        self._linked = linked
        self._clock = clock
        self._ids = ids
        self._audit = audit

    async def create(
        self,
        principal: Principal,
        *,
        name: str,
        period_start: date,
        period_end: date,
        categories: Mapping[str, int],
        currency: str = "USD",
        rollover: bool = False,
    ) -> Budget:
        clean_name, clean_categories = validate_budget(
            name=name,
            currency=currency,
            period_start=period_start,
            period_end=period_end,
            categories=categories,
        )
        now = self._clock.now()
        budget = Budget(
            id=self._ids.new("bud"),
            user_id=principal.user_id,
            name=clean_name,
            currency=currency,
            period_start=period_start,
            period_end=period_end,
            categories=clean_categories,
            rollover=rollover,
            created_at=now,
            updated_at=now,
        )
        await self._repo.add(budget)
        await self._audit.record(
            actor_id=principal.user_id, action="budget.create", target=budget.id
        )
        return budget

    async def get(
        self, principal: Principal, budget_id: str, *, include_deleted: bool = False
    ) -> Budget:
        budget = await self._repo.get(principal.user_id, budget_id, include_deleted=include_deleted)
        if budget is None:
            raise PersonalRecordNotFound("No such budget")
        return budget

    async def list(self, principal: Principal, query: ListQuery) -> Page[Budget]:
        items, total = await self._repo.list(principal.user_id, query)
        return Page(items=tuple(items), page=query.page, page_size=query.page_size, total=total)

    async def update(self, principal: Principal, budget_id: str, changes: BudgetChanges) -> Budget:
        for _ in range(_ATTEMPTS):
            current = await self.get(principal, budget_id)
            currency = changes.currency or current.currency
            period_start = changes.period_start or current.period_start
            period_end = changes.period_end or current.period_end
            name, categories = validate_budget(
                name=current.name if changes.name is None else changes.name,
                currency=currency,
                period_start=period_start,
                period_end=period_end,
                categories=(
                    dict(current.categories) if changes.categories is None else changes.categories
                ),
            )
            updated = attrs.evolve(
                current,
                name=name,
                currency=currency,
                period_start=period_start,
                period_end=period_end,
                categories=categories,
                rollover=current.rollover if changes.rollover is None else changes.rollover,
                version=current.version + 1,
                updated_at=self._clock.now(),
            )
            if await self._repo.replace(updated, current.version):
                await self._audit.record(
                    actor_id=principal.user_id, action="budget.update", target=budget_id
                )
                return updated
        raise Conflict("The budget kept changing while it was updated; retry", code="conflict")

    async def delete(self, principal: Principal, budget_id: str) -> None:
        now = self._clock.now()
        if not await self._repo.set_deleted(principal.user_id, budget_id, now, now):
            raise PersonalRecordNotFound("No such budget")
        await self._audit.record(
            actor_id=principal.user_id, action="budget.delete", target=budget_id
        )

    async def restore(self, principal: Principal, budget_id: str) -> Budget:
        budget = await self.get(principal, budget_id, include_deleted=True)
        if budget.deleted_at is not None:
            await self._repo.set_deleted(principal.user_id, budget_id, None, self._clock.now())
            await self._audit.record(
                actor_id=principal.user_id, action="budget.restore", target=budget_id
            )
        return await self.get(principal, budget_id)

    async def progress(
        self, principal: Principal, budget_id: str, *, include_pending: bool = True
    ) -> BudgetProgress:
        """Spending per category from the caller's linked transactions in the period."""
        budget = await self.get(principal, budget_id)
        if not await self._linked.accounts(principal.user_id):
            raise NoLinkedAccounts("Link a bank account to measure spending against a budget")
        transactions = await self._linked.transactions(
            principal.user_id, budget.period_start, budget.period_end
        )
        await self._audit.record(
            actor_id=principal.user_id, action="budget.progress", target=budget_id
        )
        return measure_progress(budget, transactions, include_pending=include_pending)
