"""Teller's wire format: the JSON shapes the adapter decodes, and its category map."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

CATEGORY_MAP = {
    "accommodation": "travel",
    "advertising": "services",
    "bar": "dining",
    "charity": "general",
    "clothing": "shopping",
    "dining": "dining",
    "education": "services",
    "electronics": "shopping",
    "entertainment": "entertainment",
    "fuel": "transportation",
    "general": "general",
    "groceries": "groceries",
    "health": "health",
    "home": "home",
    "income": "income",
    "insurance": "services",
    "investment": "transfer",
    "loan": "loan_payments",
    "office": "shopping",
    "phone": "utilities",
    "service": "services",
    "shopping": "shopping",
    "software": "services",
    "sport": "entertainment",
    "tax": "government",
    "transport": "transportation",
    "transportation": "transportation",
    "utilities": "utilities",
}


class Institution(msgspec.Struct):
    name: str
    id: str | None = None


class Account(msgspec.Struct):
    id: str
    name: str
    type: str
    enrollment_id: str
    institution: Institution
    subtype: str | None = None
    last_four: str | None = None
    currency: str = "USD"
    status: str = "open"


class Balance(msgspec.Struct):
    account_id: str
    ledger: Decimal | None = None
    available: Decimal | None = None


class Counterparty(msgspec.Struct):
    name: str | None = None
    type: str | None = None


class Details(msgspec.Struct):
    category: str | None = None
    counterparty: Counterparty | None = None
    processing_status: str | None = None


class Transaction(msgspec.Struct):
    id: str
    account_id: str
    amount: Decimal
    date: date
    description: str
    status: str = "posted"
    details: Details | None = None


class Datum(msgspec.Struct):
    data: Any = None


class Owner(msgspec.Struct):
    names: list[Datum] = []
    emails: list[Datum] = []
    phone_numbers: list[Datum] = []
    addresses: list[Datum] = []


class IdentityEntry(msgspec.Struct):
    owners: list[Owner] = []


class ErrorBody(msgspec.Struct):
    code: str = ""
    message: str = ""


class Error(msgspec.Struct):
    error: ErrorBody = msgspec.field(default_factory=ErrorBody)


def owner_address(value: Any) -> str:
    if isinstance(value, dict):
        parts = [value.get(k) for k in ("street", "city", "region", "postal_code", "country")]
        return ", ".join(str(p) for p in parts if p)
    return str(value)
