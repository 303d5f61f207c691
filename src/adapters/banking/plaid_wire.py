"""Plaid's wire format: the JSON shapes the adapter decodes, and its category map."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

CATEGORY_MAP = {
    "INCOME": "income",
    "TRANSFER_IN": "transfer",
    "TRANSFER_OUT": "transfer",
    "LOAN_PAYMENTS": "loan_payments",
    "BANK_FEES": "bank_fees",
    "ENTERTAINMENT": "entertainment",
    "FOOD_AND_DRINK": "dining",
    "GENERAL_MERCHANDISE": "shopping",
    "HOME_IMPROVEMENT": "home",
    "MEDICAL": "health",
    "PERSONAL_CARE": "personal_care",
    "GENERAL_SERVICES": "services",
    "GOVERNMENT_AND_NON_PROFIT": "government",
    "TRANSPORTATION": "transportation",
    "TRAVEL": "travel",
    "RENT_AND_UTILITIES": "utilities",
}
DETAILED_CATEGORY_MAP = {"FOOD_AND_DRINK_GROCERIES": "groceries"}


class Balances(msgspec.Struct):
    current: Decimal | None = None
    available: Decimal | None = None
    iso_currency_code: str | None = None
    unofficial_currency_code: str | None = None


class Account(msgspec.Struct):
    account_id: str
    name: str
    type: str
    balances: Balances = msgspec.field(default_factory=Balances)
    official_name: str | None = None
    subtype: str | None = None
    mask: str | None = None


class Item(msgspec.Struct):
    item_id: str
    institution_id: str | None = None
    institution_name: str | None = None


class AccountsResponse(msgspec.Struct):
    accounts: list[Account]
    item: Item


class Pfc(msgspec.Struct):
    primary: str = ""
    detailed: str = ""


class Transaction(msgspec.Struct):
    transaction_id: str
    account_id: str
    amount: Decimal
    date: date
    name: str | None = None
    merchant_name: str | None = None
    pending: bool = False
    iso_currency_code: str | None = None
    unofficial_currency_code: str | None = None
    personal_finance_category: Pfc | None = None
    category: list[str] | None = None


class TransactionsResponse(msgspec.Struct):
    transactions: list[Transaction]
    total_transactions: int


class Datum(msgspec.Struct):
    data: Any = None


class Owner(msgspec.Struct):
    names: list[str] = []
    emails: list[Datum] = []
    phone_numbers: list[Datum] = []
    addresses: list[Datum] = []


class IdentityAccount(msgspec.Struct):
    owners: list[Owner] = []


class IdentityResponse(msgspec.Struct):
    accounts: list[IdentityAccount]


class LinkResponse(msgspec.Struct):
    link_token: str
    expiration: datetime


class ExchangeResponse(msgspec.Struct):
    access_token: str
    item_id: str


class Error(msgspec.Struct):
    error_type: str = ""
    error_code: str = ""
    error_message: str = ""
    request_id: str | None = None


def category(t: Transaction) -> str:
    pfc = t.personal_finance_category
    if pfc is not None:
        return DETAILED_CATEGORY_MAP.get(pfc.detailed) or CATEGORY_MAP.get(pfc.primary, "general")
    if t.category:
        legacy = t.category[0].upper().replace(" ", "_")
        return {"FOOD_AND_DRINK": "dining", "SHOPS": "shopping", "TRAVEL": "travel"}.get(
            legacy, "general"
        )
    return "general"


def currency(b: Balances | Transaction) -> str:
    return b.iso_currency_code or b.unofficial_currency_code or "USD"


def owner_address(value: Any) -> str:
    if isinstance(value, dict):
        parts = [value.get(k) for k in ("street", "city", "region", "postal_code", "country")]
        return ", ".join(str(p) for p in parts if p)
    return str(value)
