"""Savings goals: a target amount in minor units, progress so far, an optional date."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum, StrEnum

import attrs

from core.domain.errors import FieldError, ValidationFailed
from core.domain.personal import check_amount, check_currency, check_name

__all__ = [
    "GOAL_ORDER",
    "KEEP",
    "Goal",
    "GoalChanges",
    "GoalStatus",
    "Keep",
    "goal_status",
    "validate_goal",
]

GOAL_ORDER = (
    "created_at",
    "updated_at",
    "name",
    "target_amount",
    "current_amount",
    "target_date",
)


class GoalStatus(StrEnum):
    """Derived, never set by clients: reached, past its date unreached, or still going."""

    ACTIVE = "active"
    ACHIEVED = "achieved"
    OVERDUE = "overdue"


@attrs.frozen
class Goal:
    id: str
    user_id: str
    name: str
    target_amount: int
    current_amount: int
    currency: str
    target_date: date | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    version: int = 1


def goal_status(goal: Goal, today: date) -> GoalStatus:
    if goal.current_amount >= goal.target_amount:
        return GoalStatus.ACHIEVED
    if goal.target_date is not None and goal.target_date < today:
        return GoalStatus.OVERDUE
    return GoalStatus.ACTIVE


def validate_goal(*, name: str, target_amount: int, current_amount: int, currency: str) -> str:
    """Check a goal's fields; returns the trimmed name."""
    errors: list[FieldError] = []
    checks = (
        lambda: check_name(name),
        lambda: check_amount(target_amount, "target_amount"),
        lambda: check_amount(current_amount, "current_amount"),
        lambda: check_currency(currency),
    )
    for check in checks:
        try:
            check()
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if not errors and target_amount == 0:
        errors.append(FieldError("target_amount", "must be greater than 0"))
    if errors:
        raise ValidationFailed("The goal is not valid: see errors.", errors=errors)
    return name.strip()


class Keep(Enum):
    """Marks a field a partial update leaves alone (where None is a value: no target date)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@attrs.frozen
class GoalChanges:
    name: str | None = None
    target_amount: int | None = None
    current_amount: int | None = None
    currency: str | None = None
    target_date: date | Keep | None = KEEP
