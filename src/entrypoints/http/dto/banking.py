"""Wire shapes of ``/v1/banking``: amounts are decimal strings, dates ``YYYY-MM-DD``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from core.domain.banking import (
    BalanceSnapshot,
    BankAccount,
    BankBalance,
    BankTransaction,
    Connection,
    IdentityOwner,
    LinkToken,
    from_minor_units,
)

__all__ = [
    "AccountListOut",
    "AccountOut",
    "BalanceHistoryOut",
    "BalanceListOut",
    "ConnectionListOut",
    "ConnectionOut",
    "ExchangeRequest",
    "IdentityOut",
    "LinkOut",
    "LinkRequest",
    "SnapshotListOut",
    "SnapshotRequest",
    "TransactionOut",
    "TransactionPageOut",
    "WebhookAck",
]

Provider = Annotated[str, msgspec.Meta(pattern="^(teller|plaid|demo)$")]


class LinkRequest(msgspec.Struct, forbid_unknown_fields=True):
    provider: Provider | None = None


class ExchangeRequest(msgspec.Struct, forbid_unknown_fields=True):
    public_token: Annotated[str, msgspec.Meta(min_length=1, max_length=512)]
    provider: Provider | None = None


class SnapshotRequest(msgspec.Struct, forbid_unknown_fields=True):
    connection_id: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None


class LinkOut(msgspec.Struct, omit_defaults=True):
    provider: str
    expires_at: datetime
    link_token: str | None = None
    enrollment_url: str | None = None

    @classmethod
    def of(cls, link: LinkToken) -> LinkOut:
        return cls(
            provider=link.provider,
            expires_at=link.expires_at,
            link_token=link.link_token,
            enrollment_url=link.enrollment_url,
        )


class ConnectionOut(msgspec.Struct):
    id: str
    provider: str
    institution_name: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, c: Connection) -> ConnectionOut:
        return cls(c.id, c.provider, c.institution_name, c.status.value, c.created_at)


class ConnectionListOut(msgspec.Struct):
    items: list[ConnectionOut]


class AccountOut(msgspec.Struct):
    id: str
    connection_id: str
    name: str
    official_name: str | None
    type: str
    subtype: str | None
    mask: str | None
    currency: str
    balance_current: Decimal | None
    balance_available: Decimal | None
    institution_name: str

    @classmethod
    def of(cls, a: BankAccount) -> AccountOut:
        return cls(
            a.id,
            a.connection_id,
            a.name,
            a.official_name,
            a.type,
            a.subtype,
            a.mask,
            a.currency,
            a.balance_current,
            a.balance_available,
            a.institution_name,
        )


class AccountListOut(msgspec.Struct):
    items: list[AccountOut]


class TransactionOut(msgspec.Struct):
    id: str
    account_id: str
    amount: Decimal
    currency: str
    date: date
    description: str
    merchant_name: str | None
    category: str
    pending: bool

    @classmethod
    def of(cls, t: BankTransaction) -> TransactionOut:
        return cls(
            t.id,
            t.account_id,
            t.amount,
            t.currency,
            t.date,
            t.description,
            t.merchant_name,
            t.category,
            t.pending,
        )


class TransactionPageOut(msgspec.Struct):
    items: list[TransactionOut]
    page: int
    page_size: int
    total: int
    next_cursor: str | None


class BalanceOut(msgspec.Struct):
    account_id: str
    current: Decimal | None
    available: Decimal | None
    currency: str
    as_of: datetime

    @classmethod
    def of(cls, b: BankBalance) -> BalanceOut:
        return cls(b.account_id, b.current, b.available, b.currency, b.as_of)


class BalanceListOut(msgspec.Struct):
    items: list[BalanceOut]


class OwnerOut(msgspec.Struct):
    names: list[str]
    emails: list[str]
    phone_numbers: list[str]
    addresses: list[str]

    @classmethod
    def of(cls, o: IdentityOwner) -> OwnerOut:
        return cls(list(o.names), list(o.emails), list(o.phone_numbers), list(o.addresses))


class IdentityOut(msgspec.Struct):
    owners: list[OwnerOut]


class SnapshotOut(msgspec.Struct):
    account_id: str
    date: date
    balance: Decimal
    currency: str

    @classmethod
    def of(cls, s: BalanceSnapshot) -> SnapshotOut:
        return cls(s.account_id, s.date, from_minor_units(s.balance, s.currency), s.currency)


class SnapshotListOut(msgspec.Struct):
    items: list[SnapshotOut]
    count: int


class HistoryPointOut(msgspec.Struct):
    date: date
    balance: Decimal
    currency: str


class BalanceHistoryOut(msgspec.Struct):
    account_id: str
    history: list[HistoryPointOut]
    count: int


class WebhookAck(msgspec.Struct):
    received: bool
    duplicate: bool
