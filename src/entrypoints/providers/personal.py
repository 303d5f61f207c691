"""Personal finance: budgets, goals, net worth, and the linked bank data they read.

``LinkedFinances`` is the one seam to the banking area: the banking service answers it.
"""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.sql.net_worth import SqlNetWorthRepository
from adapters.sql.personal import SqlBudgetRepository, SqlGoalRepository
from core.services.budgets import BudgetService
from core.services.goals import GoalService
from core.services.linked_finances import BankingLinkedFinances
from core.services.net_worth import NetWorthService
from ports.linked_finances import LinkedFinances
from ports.personal import BudgetRepository, GoalRepository, NetWorthRepository

__all__ = ["PersonalFinanceProvider"]


class PersonalFinanceProvider(Provider):
    scope = Scope.APP

    linked = provide(BankingLinkedFinances, provides=LinkedFinances)

    budgets_repo = provide(SqlBudgetRepository, provides=BudgetRepository)
    goals_repo = provide(SqlGoalRepository, provides=GoalRepository)
    net_worth_repo = provide(SqlNetWorthRepository, provides=NetWorthRepository)
    budgets = provide(BudgetService)
    goals = provide(GoalService)
    net_worth = provide(NetWorthService)
