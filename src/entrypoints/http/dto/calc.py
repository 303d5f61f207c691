"""Wire shapes of ``/v1/calc``: numbers in as decimal strings or JSON numbers, strings out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec

from core.domain.cashflow import MAX_CASHFLOWS, MAX_MONTHS

__all__ = [
    "AmortizationRequest",
    "AmortizationResponse",
    "AmortizationRowOut",
    "DatedFlowIn",
    "IrrRequest",
    "IrrResponse",
    "NpvRequest",
    "NpvResponse",
    "XirrRequest",
    "XirrResponse",
    "XnpvRequest",
    "XnpvResponse",
]

# msgspec decodes a JSON number straight from its text into Decimal (no float on the way).
Flows = Annotated[list[Decimal], msgspec.Meta(min_length=1, max_length=MAX_CASHFLOWS)]


class DatedFlowIn(msgspec.Struct, forbid_unknown_fields=True):
    date: date
    amount: Decimal


DatedFlows = Annotated[list[DatedFlowIn], msgspec.Meta(min_length=1, max_length=MAX_CASHFLOWS)]


class NpvRequest(msgspec.Struct, forbid_unknown_fields=True):
    rate: Decimal
    cashflows: Flows


class IrrRequest(msgspec.Struct, forbid_unknown_fields=True):
    cashflows: Flows


class XnpvRequest(msgspec.Struct, forbid_unknown_fields=True):
    rate: Decimal
    cashflows: DatedFlows


class XirrRequest(msgspec.Struct, forbid_unknown_fields=True):
    cashflows: DatedFlows
    rate: Decimal | None = None  # accepted as a guess; the search does not depend on it


class AmortizationRequest(msgspec.Struct, forbid_unknown_fields=True):
    principal: Decimal
    annual_rate: Decimal  # a fraction: 0.065 for 6.5 %
    months: Annotated[int, msgspec.Meta(ge=1, le=MAX_MONTHS)]
    decimals: Annotated[int, msgspec.Meta(ge=0, le=10)] = 2


class NpvResponse(msgspec.Struct):
    npv: str


class IrrResponse(msgspec.Struct):
    irr: str


class XnpvResponse(msgspec.Struct):
    xnpv: str


class XirrResponse(msgspec.Struct):
    xirr: str


class AmortizationRowOut(msgspec.Struct):
    month: int
    payment: str
    interest: str
    principal: str
    balance: str


class AmortizationResponse(msgspec.Struct):
    payment: str
    schedule: list[AmortizationRowOut]
