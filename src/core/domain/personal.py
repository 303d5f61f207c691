"""What budgets, goals and net worth share: money in minor units, list queries and pages."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Generic, TypeVar

import attrs

from core.domain.errors import FieldError, NotFound, ValidationFailed

__all__ = [
    "MAX_MINOR_UNITS",
    "ListQuery",
    "Page",
    "PersonalRecordNotFound",
    "check_amount",
    "check_currency",
    "check_name",
    "invalid",
    "minor_unit_exponent",
    "to_minor_units",
]

T = TypeVar("T")
MAX_MINOR_UNITS = 10**15
MAX_PAGE_SIZE = 200
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# ISO 4217 currencies whose minor unit is not the cent; every other code has 2 decimals.
_EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"), 0),
    **dict.fromkeys(("RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


class PersonalRecordNotFound(NotFound):
    code = "not_found"


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message)])


def minor_unit_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """A decimal amount (``-45.67``) as integer minor units (``-4567``), half-even."""
    scaled = amount.scaleb(minor_unit_exponent(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def check_currency(value: str, field: str = "currency") -> str:
    if not _CURRENCY.match(value):
        raise invalid(field, "must be an ISO 4217 code such as USD")
    return value


def check_name(value: str, field: str = "name", limit: int = 200) -> str:
    name = value.strip()
    if not 1 <= len(name) <= limit:
        raise invalid(field, f"must hold 1 to {limit} characters")
    return name


def check_amount(value: int, field: str) -> int:
    if isinstance(value, bool) or not 0 <= value <= MAX_MINOR_UNITS:
        raise invalid(field, f"must be an integer amount in minor units, 0 to {MAX_MINOR_UNITS}")
    return value


@attrs.frozen
class ListQuery:
    """Validated paging, search and ordering of a collection the caller owns."""

    page: int = 1
    page_size: int = 50
    q: str | None = None
    order_by: str = "created_at"
    order_dir: str = "asc"
    include_deleted: bool = False

    @classmethod
    def create(
        cls,
        *,
        allowed_order: Sequence[str],
        page: int = 1,
        page_size: int = 50,
        q: str | None = None,
        order_by: str | None = None,
        order_dir: str | None = None,
        include_deleted: bool = False,
        cursor: str | None = None,
    ) -> ListQuery:
        if cursor:
            page = decode_cursor(cursor)
        if page < 1:
            raise invalid("page", "must be 1 or more")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise invalid("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
        order = order_by or "created_at"
        if order not in allowed_order:
            raise invalid("order_by", f"must be one of {', '.join(allowed_order)}")
        direction = (order_dir or "asc").lower()
        if direction not in ("asc", "desc"):
            raise invalid("order_dir", "must be asc or desc")
        text = " ".join(q.split()) if q else None
        if text is not None and len(text) > 200:
            raise invalid("q", "must hold at most 200 characters")
        return cls(
            page=page,
            page_size=page_size,
            q=text or None,
            order_by=order,
            order_dir=direction,
            include_deleted=include_deleted,
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def encode_cursor(page: int) -> str:
    return base64.urlsafe_b64encode(f"page:{page}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = raw.partition(":")
        page = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid("cursor", "is not a cursor this API issued") from None
    if kind != "page" or page < 1:
        raise invalid("cursor", "is not a cursor this API issued")
    return page


@attrs.frozen
class Page(Generic[T]):
    items: tuple[T, ...]
    page: int
    page_size: int
    total: int

    @property
    def next_cursor(self) -> str | None:
        more = self.page * self.page_size < self.total
        return encode_cursor(self.page + 1) if more else None
