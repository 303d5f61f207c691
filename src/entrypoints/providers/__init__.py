"""dishka providers grouped by role; ``default_providers`` is what production wires."""

from __future__ import annotations

from dishka import Provider

from entrypoints.providers.banking import BankingProvider
from entrypoints.providers.identity import IdentityProvider
from entrypoints.providers.market import MarketProvider
from entrypoints.providers.operations import OperationsProvider
from entrypoints.providers.payments import PaymentsProvider
from entrypoints.providers.personal import PersonalFinanceProvider
from entrypoints.providers.security import SecurityProvider
from entrypoints.providers.stores import StoreProvider
from entrypoints.providers.system import SystemProvider
from entrypoints.providers.webhooks import WebhookProvider

__all__ = [
    "MarketProvider",
    "OperationsProvider",
    "PaymentsProvider",
    "PersonalFinanceProvider",
    "SecurityProvider",
    "StoreProvider",
    "SystemProvider",
    "default_providers",
]


def default_providers() -> list[Provider]:
    """Every provider the running service needs, in one list (tests override single ones)."""
    return [
        SystemProvider(),
        StoreProvider(),
        SecurityProvider(),
        IdentityProvider(),
        OperationsProvider(),
        MarketProvider(),
        PersonalFinanceProvider(),
        PaymentsProvider(),
        BankingProvider(),
        WebhookProvider(),
    ]
