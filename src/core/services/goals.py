"""Goal use cases: CRUD with soft delete for the caller's own savings goals."""

from __future__ import annotations

from datetime import date

import attrs

from core.domain.errors import Conflict
from core.domain.goals import KEEP, Goal, GoalChanges, GoalStatus, goal_status, validate_goal
from core.domain.identity import Principal
from core.domain.personal import ListQuery, Page, PersonalRecordNotFound
from ports.audit import AuditLog
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.personal import GoalRepository

__all__ = ["GoalService"]

_ATTEMPTS = 3


class GoalService:
    def __init__(
        self, repo: GoalRepository, clock: Clock, ids: IdGenerator, audit: AuditLog
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._ids = ids
        self._audit = audit

    def status(self, goal: Goal) -> GoalStatus:
        return goal_status(goal, self._clock.now().date())

    async def create(
        self,
        principal: Principal,
        *,
        name: str,
        target_amount: int,
        current_amount: int = 0,
        currency: str = "USD",
        target_date: date | None = None,
    ) -> Goal:
        clean_name = validate_goal(
            name=name,
            target_amount=target_amount,
            current_amount=current_amount,
            currency=currency,
        )
        now = self._clock.now()
        goal = Goal(
            id=self._ids.new("gol"),
            user_id=principal.user_id,
            name=clean_name,
            target_amount=target_amount,
            current_amount=current_amount,
            currency=currency,
            target_date=target_date,
            created_at=now,
            updated_at=now,
        )
        await self._repo.add(goal)
        await self._audit.record(actor_id=principal.user_id, action="goal.create", target=goal.id)
        return goal

    async def get(
        self, principal: Principal, goal_id: str, *, include_deleted: bool = False
    ) -> Goal:
        goal = await self._repo.get(principal.user_id, goal_id, include_deleted=include_deleted)
        if goal is None:
            raise PersonalRecordNotFound("No such goal")
        return goal

    async def list(self, principal: Principal, query: ListQuery) -> Page[Goal]:
        items, total = await self._repo.list(principal.user_id, query)
        return Page(items=tuple(items), page=query.page, page_size=query.page_size, total=total)

    async def update(self, principal: Principal, goal_id: str, changes: GoalChanges) -> Goal:
        for _ in range(_ATTEMPTS):
            current = await self.get(principal, goal_id)
            target = (
                current.target_amount if changes.target_amount is None else changes.target_amount
            )
            saved = (
                current.current_amount if changes.current_amount is None else changes.current_amount
            )
            currency = changes.currency or current.currency
            name = validate_goal(
                name=current.name if changes.name is None else changes.name,
                target_amount=target,
                current_amount=saved,
                currency=currency,
            )
            updated = attrs.evolve(
                current,
                name=name,
                target_amount=target,
                current_amount=saved,
                currency=currency,
                target_date=(
                    current.target_date if changes.target_date is KEEP else changes.target_date
                ),
                version=current.version + 1,
                updated_at=self._clock.now(),
            )
            if await self._repo.replace(updated, current.version):
                await self._audit.record(
                    actor_id=principal.user_id, action="goal.update", target=goal_id
                )
                return updated
        raise Conflict("The goal kept changing while it was updated; retry", code="conflict")

    async def delete(self, principal: Principal, goal_id: str) -> None:
        now = self._clock.now()
        if not await self._repo.set_deleted(principal.user_id, goal_id, now, now):
            raise PersonalRecordNotFound("No such goal")
        await self._audit.record(actor_id=principal.user_id, action="goal.delete", target=goal_id)

    async def restore(self, principal: Principal, goal_id: str) -> Goal:
        goal = await self.get(principal, goal_id, include_deleted=True)
        if goal.deleted_at is not None:
            await self._repo.set_deleted(principal.user_id, goal_id, None, self._clock.now())
            await self._audit.record(
                actor_id=principal.user_id, action="goal.restore", target=goal_id
            )
        return await self.get(principal, goal_id)
