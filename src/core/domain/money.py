"""Money: integer minor units with an ISO 4217 currency, and the fee rule."""

from __future__ import annotations

from typing import Final

import attrs

from core.domain.errors import FieldError, ValidationFailed

__all__ = [
    "CURRENCY_EXPONENTS",
    "MAX_AMOUNT",
    "FeeSchedule",
    "Money",
    "UnknownCurrency",
    "compute_fee",
    "exponent_of",
    "parse_currency",
    "validate_amount",
]

MAX_AMOUNT: Final = 10**12
"""The largest amount (minor units) a single payment, capture or refund may carry."""


def _codes(text: str) -> list[str]:
    return text.split()


# Active ISO 4217 codes and their minor-unit exponents (ISO 4217 list one, 2024).
# Funds codes and precious metals are left out: nobody pays a merchant in XAU.
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD "
    "TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG"
)
_NO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"

CURRENCY_EXPONENTS: Final[dict[str, int]] = {
    **dict.fromkeys(_codes(_TWO_DECIMALS), 2),
    **dict.fromkeys(_codes(_NO_DECIMALS), 0),
    **dict.fromkeys(_codes(_THREE_DECIMALS), 3),
    "CLF": 4,
    "UYW": 4,
}


class UnknownCurrency(ValidationFailed):
    code = "unknown_currency"
    title = "Unknown currency"


def exponent_of(currency: str) -> int:
    """Minor-unit exponent of an ISO 4217 code (USD 2, JPY 0, KWD 3)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(
            f"{currency!r} is not an ISO 4217 currency code",
            errors=[FieldError("currency", "unknown ISO 4217 code")],
        ) from None


def parse_currency(value: str, field: str = "currency") -> str:
    """An upper-case ISO 4217 code, or ``UnknownCurrency``; codes are case-sensitive upper."""
    if value not in CURRENCY_EXPONENTS:
        raise UnknownCurrency(
            f"{value!r} is not an ISO 4217 currency code",
            errors=[FieldError(field, "unknown ISO 4217 code")],
        )
    return value


def validate_amount(amount: int, field: str = "amount") -> int:
    """An amount in minor units between 1 and 10^12."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
        raise ValidationFailed(
            f"{field} must be an integer between 1 and {MAX_AMOUNT} minor units",
            errors=[FieldError(field, f"integer between 1 and {MAX_AMOUNT}")],
        )
    return amount


@attrs.frozen
class Money:
    amount: int
    currency: str

    def __attrs_post_init__(self) -> None:
        exponent_of(self.currency)


def compute_fee(captured: int, fee_bps: int, fee_fixed: int) -> int:
    """Platform fee for a capture: basis points (rounded half up) plus a fixed part.

    Capped at the captured amount, so a capture never leaves the merchant owing for it.
    """
    variable = (captured * fee_bps + 5_000) // 10_000
    return min(captured, variable + fee_fixed)


@attrs.frozen
class FeeSchedule:
    """The platform's fee: basis points of the captured amount plus fixed minor units."""

    bps: int = 290
    fixed: int = 30

    def fee_for(self, captured: int) -> int:
        return compute_fee(captured, self.bps, self.fixed)
