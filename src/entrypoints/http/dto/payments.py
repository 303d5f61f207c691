"""Wire shapes of the merchant, payment and settlement sections of API.md."""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.domain.identity import MerchantRole

Amount = Annotated[int, msgspec.Meta(ge=1, le=10**12)]
Currency = Annotated[str, msgspec.Meta(min_length=3, max_length=3)]


class Request(msgspec.Struct, forbid_unknown_fields=True):
    pass


class CreateMerchant(Request):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    default_currency: Currency
    currencies: list[Currency] | None = None


class AddMember(Request):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    role: MerchantRole


class CreatePayment(Request):
    amount: Amount
    currency: Currency
    description: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    reference: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    capture: bool = True


class CapturePayment(Request):
    amount: Amount | None = None


class CreateRefund(Request):
    amount: Amount
    reason: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class CreateSettlement(Request):
    currency: Currency


class MerchantOut(msgspec.Struct):
    id: str
    name: str
    default_currency: str
    currencies: list[str]
    status: str
    created_at: str


class MerchantList(msgspec.Struct):
    items: list[MerchantOut]
    next_cursor: str | None


class MemberOut(msgspec.Struct):
    merchant_id: str
    user_id: str
    role: str


class BalanceOut(msgspec.Struct):
    currency: str
    available: int
    pending: int
    settled: int


class Balances(msgspec.Struct):
    merchant_id: str
    balances: list[BalanceOut]


class TransferOut(msgspec.Struct):
    id: str
    debit_account: str
    credit_account: str
    amount: int
    currency: str
    kind: str
    payment_id: str | None
    refund_id: str | None
    settlement_id: str | None
    posted_at: str


class TransferList(msgspec.Struct):
    items: list[TransferOut]
    next_cursor: str | None


class PaymentOut(msgspec.Struct):
    id: str
    merchant_id: str
    amount: int
    currency: str
    status: str
    captured_amount: int
    refunded_amount: int
    fee_amount: int
    description: str | None
    reference: str | None
    created_at: str
    updated_at: str


class PaymentList(msgspec.Struct):
    items: list[PaymentOut]
    next_cursor: str | None


class RefundOut(msgspec.Struct):
    id: str
    payment_id: str
    amount: int
    currency: str
    status: str
    reason: str | None
    created_at: str


class RefundList(msgspec.Struct):
    items: list[RefundOut]
    next_cursor: str | None


class SettlementOut(msgspec.Struct):
    id: str
    merchant_id: str
    currency: str
    amount: int
    status: str
    payment_count: int
    created_at: str
    paid_at: str | None


class SettlementList(msgspec.Struct):
    items: list[SettlementOut]
    next_cursor: str | None
