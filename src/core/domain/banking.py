"""Bank aggregation: provider-neutral accounts, transactions, balances, identity, connections.

Sign convention, normalised once in each adapter: a negative amount is money leaving the
account (a purchase, a payment, a fee), a positive amount is money coming in (a salary, a
refund). Amounts are ``Decimal``; categories come from one vocabulary (``CATEGORIES``).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

import attrs

from core.domain.errors import (
    Conflict,
    NotFound,
    ProviderError,
    ServiceUnavailable,
    ValidationFailed,
)

__all__ = [
    "CATEGORIES",
    "AccountRecord",
    "BalanceRecord",
    "BalanceSnapshot",
    "BankAccount",
    "BankBalance",
    "BankConnectionNotFound",
    "BankProviderError",
    "BankProviderRateLimited",
    "BankTransaction",
    "Connection",
    "ConnectionRequiresRelink",
    "ConnectionStatus",
    "ExchangedToken",
    "IdentityOwner",
    "InvalidPublicToken",
    "LinkToken",
    "LinkedFinances",
    "TransactionRecord",
    "derived_id",
    "from_minor_units",
    "minor_units",
]

CATEGORIES: Final = frozenset(
    {
        "income",
        "transfer",
        "loan_payments",
        "bank_fees",
        "entertainment",
        "dining",
        "groceries",
        "shopping",
        "home",
        "health",
        "personal_care",
        "services",
        "government",
        "transportation",
        "travel",
        "utilities",
        "general",
    }
)
"""The provider-neutral categories every adapter maps its own taxonomy onto."""


class InvalidPublicToken(ValidationFailed):
    code = "invalid_public_token"
    title = "Invalid public token"


class BankConnectionNotFound(NotFound):
    code = "not_found"
    title = "Bank connection not found"


class ConnectionRequiresRelink(Conflict):
    """The bank login must be redone by the user (credentials changed, MFA, consent expired)."""

    code = "connection_requires_relink"
    title = "Connection requires relink"


class BankProviderError(ProviderError):
    code = "provider_error"
    title = "Bank provider error"


class BankProviderRateLimited(ServiceUnavailable):
    code = "provider_rate_limited"
    title = "Bank provider rate limited"

    def __init__(self, detail: str | None = None, *, retry_after: int = 30) -> None:
        super().__init__(detail, retry_after=max(1, int(retry_after)))


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    RELINK_REQUIRED = "relink_required"


# --- what adapters return (provider ids, provider-neutral shapes) -------------------------


@attrs.frozen
class LinkToken:
    provider: str
    expires_at: datetime
    link_token: str | None = None
    enrollment_url: str | None = None


@attrs.frozen
class ExchangedToken:
    """The result of exchanging a public token: the secret access token and the item."""

    access_token: str = attrs.field(repr=False)
    external_id: str  # Plaid item_id, Teller enrollment_id
    institution_name: str


@attrs.frozen
class AccountRecord:
    provider_account_id: str
    name: str
    official_name: str | None
    type: str
    subtype: str | None
    mask: str | None
    currency: str
    institution_name: str


@attrs.frozen
class BalanceRecord:
    provider_account_id: str
    current: Decimal | None
    available: Decimal | None
    currency: str


@attrs.frozen
class TransactionRecord:
    provider_transaction_id: str
    provider_account_id: str
    amount: Decimal  # negative = money out
    currency: str
    date: date
    description: str
    merchant_name: str | None
    category: str
    pending: bool


@attrs.frozen
class IdentityOwner:
    names: tuple[str, ...]
    emails: tuple[str, ...]
    phone_numbers: tuple[str, ...]
    addresses: tuple[str, ...]


# --- what the API serves (our ids) --------------------------------------------------------


@attrs.frozen
class Connection:
    id: str
    user_id: str
    provider: str
    external_id: str
    institution_name: str
    status: ConnectionStatus
    created_at: datetime


@attrs.frozen
class BankAccount:
    id: str
    connection_id: str
    provider_account_id: str
    name: str
    official_name: str | None
    type: str
    subtype: str | None
    mask: str | None
    currency: str
    balance_current: Decimal | None
    balance_available: Decimal | None
    institution_name: str


@attrs.frozen
class BankBalance:
    account_id: str
    current: Decimal | None
    available: Decimal | None
    currency: str
    as_of: datetime


@attrs.frozen
class BankTransaction:
    id: str
    account_id: str
    connection_id: str
    amount: Decimal
    currency: str
    date: date
    description: str
    merchant_name: str | None
    category: str
    pending: bool


@attrs.frozen
class BalanceSnapshot:
    account_id: str
    connection_id: str
    user_id: str
    date: date
    balance: int  # minor units
    currency: str


@attrs.frozen
class LinkedFinances:
    """A user's accounts (with balances) and transactions across all their connections."""

    accounts: tuple[BankAccount, ...]
    transactions: tuple[BankTransaction, ...]


def derived_id(prefix: str, connection_id: str, provider_id: str) -> str:
    """A stable opaque id for a provider object seen through one connection."""
    digest = hashlib.sha256(f"{connection_id}\x1f{provider_id}".encode()).hexdigest()
    return f"{prefix}_{digest[:26].upper()}"


_EXPONENTS: Final = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3}


def minor_units(amount: Decimal, currency: str) -> int:
    """``amount`` in the currency's minor units (banker's rounding past the exponent)."""
    exponent = _EXPONENTS.get(currency.upper(), 2)
    return int((amount * (Decimal(10) ** exponent)).to_integral_value())


def from_minor_units(units: int, currency: str) -> Decimal:
    exponent = _EXPONENTS.get(currency.upper(), 2)
    return Decimal(units).scaleb(-exponent)
