"""Money: ISO 4217 codes and exponents, amount bounds, the fee rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.domain.errors import ValidationFailed
from core.domain.money import (
    CURRENCY_EXPONENTS,
    MAX_AMOUNT,
    FeeSchedule,
    UnknownCurrency,
    compute_fee,
    exponent_of,
    parse_currency,
    validate_amount,
)


def test_exponents_follow_iso_4217() -> None:
    assert exponent_of("USD") == 2
    assert exponent_of("EUR") == 2
    assert exponent_of("JPY") == 0
    assert exponent_of("KRW") == 0
    assert exponent_of("KWD") == 3
    assert exponent_of("BHD") == 3
    assert exponent_of("CLF") == 4
    assert all(len(code) == 3 and code.isupper() for code in CURRENCY_EXPONENTS)
    assert len(CURRENCY_EXPONENTS) > 150


@pytest.mark.parametrize("code", ["XYZ", "usd", "US", "", "XAU", "EURO"])
def test_unknown_or_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency) as caught:
        parse_currency(code)
    assert caught.value.code == "unknown_currency"
    assert caught.value.errors[0].field == "currency"


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, True])
def test_amounts_outside_one_to_ten_to_the_twelve_are_refused(amount: int) -> None:
    with pytest.raises(ValidationFailed):
        validate_amount(amount)


def test_fee_is_basis_points_rounded_half_up_plus_the_fixed_part() -> None:
    assert compute_fee(10_000, 290, 30) == 320
    assert compute_fee(1_000, 290, 30) == 59  # 29 + 30
    assert compute_fee(50, 290, 30) == 31  # 1.45 rounds to 1
    assert compute_fee(52, 290, 30) == 32  # 1.508 rounds to 2
    assert FeeSchedule(0, 0).fee_for(10_000) == 0


def test_the_fee_never_exceeds_the_captured_amount() -> None:
    assert compute_fee(1, 290, 30) == 1
    assert compute_fee(10, 290, 30) == 10


@given(
    captured=st.integers(1, MAX_AMOUNT),
    bps=st.integers(0, 10_000),
    fixed=st.integers(0, 10_000),
)
def test_fee_is_bounded_and_monotonic(captured: int, bps: int, fixed: int) -> None:
    fee = compute_fee(captured, bps, fixed)
    assert 0 <= fee <= captured
    assert fee <= compute_fee(min(captured + 1, MAX_AMOUNT), bps, fixed) or captured == MAX_AMOUNT
