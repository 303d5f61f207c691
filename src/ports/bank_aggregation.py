"""The bank aggregator port (Teller, Plaid, demo) and the verification of their webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Protocol

import attrs

from core.domain.banking import (
    AccountRecord,
    BalanceRecord,
    ExchangedToken,
    IdentityOwner,
    LinkToken,
    TransactionRecord,
)

__all__ = [
    "BankAggregator",
    "BankAggregators",
    "BankWebhookEvent",
    "BankWebhookVerifier",
    "WebhookEffect",
]


class BankAggregator(Protocol):
    """One provider. Amounts come back signed (negative = money out) and categorised.

    Failures raise the banking domain errors: ``ConnectionRequiresRelink`` (the user must
    log in again), ``BankProviderRateLimited`` (after bounded retries), ``BankProviderError``,
    ``InvalidPublicToken`` (exchange only).
    """

    @property
    def name(self) -> str: ...

    async def create_link(self, user_id: str) -> LinkToken:
        """What the client needs to start the provider's link flow."""
        ...

    async def exchange(self, public_token: str) -> ExchangedToken:
        """Trade the link flow's public token for a long-lived access token."""
        ...

    async def accounts(self, access_token: str) -> list[AccountRecord]: ...

    async def balances(self, access_token: str) -> list[BalanceRecord]: ...

    async def transactions(
        self, access_token: str, start: date, end: date
    ) -> list[TransactionRecord]:
        """Every transaction dated ``start``..``end`` inclusive, following the provider's paging."""
        ...

    async def identity(self, access_token: str) -> list[IdentityOwner]: ...

    async def revoke(self, access_token: str) -> None:
        """Revoke the access at the provider (a no-op where the provider has no such call)."""
        ...


class BankAggregators(Protocol):
    """The configured providers by name; ``default`` is the one picked by configuration."""

    @property
    def default(self) -> str: ...

    def get(self, name: str) -> BankAggregator | None: ...


class WebhookEffect(StrEnum):
    DISCONNECTED = "disconnected"
    TRANSACTIONS_UPDATED = "transactions_updated"
    REPAIRED = "repaired"
    NONE = "none"


@attrs.frozen
class BankWebhookEvent:
    """A verified provider webhook, reduced to what the service acts on."""

    provider: str
    event_id: str
    type: str
    effect: WebhookEffect
    external_id: str | None = None  # Teller enrollment id, Plaid item id
    provider_account_ids: tuple[str, ...] = ()


class BankWebhookVerifier(Protocol):
    async def verify(self, headers: Mapping[str, str], body: bytes) -> BankWebhookEvent:
        """The event when the signature over the raw body verifies; else AuthenticationFailed."""
        ...
