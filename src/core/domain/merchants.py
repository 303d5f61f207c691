"""Merchants: who takes payments, in which currencies, and who may act for them."""

from __future__ import annotations

from typing import Any

import attrs

from core.domain.errors import FieldError, NotFound, ValidationFailed

__all__ = [
    "CurrencyNotAccepted",
    "Merchant",
    "MerchantNotFound",
    "UserNotFound",
    "merchant_view",
]


class MerchantNotFound(NotFound):
    code = "not_found"


class UserNotFound(NotFound):
    code = "user_not_found"
    title = "No user with that email"


class CurrencyNotAccepted(ValidationFailed):
    code = "currency_not_accepted"
    title = "Currency not accepted"

    def __init__(self, currency: str) -> None:
        super().__init__(
            f"this merchant does not accept {currency}",
            errors=[FieldError("currency", "not accepted by this merchant")],
        )


@attrs.frozen
class Merchant:
    id: str
    name: str
    default_currency: str
    currencies: tuple[str, ...]
    status: str
    created_at: str

    def accepts(self, currency: str) -> bool:
        return currency in self.currencies

    def require_currency(self, currency: str) -> None:
        if not self.accepts(currency):
            raise CurrencyNotAccepted(currency)


def merchant_view(m: Merchant) -> dict[str, Any]:
    """The merchant exactly as the API returns it."""
    return {
        "id": m.id,
        "name": m.name,
        "default_currency": m.default_currency,
        "currencies": list(m.currencies),
        "status": m.status,
        "created_at": m.created_at,
    }
