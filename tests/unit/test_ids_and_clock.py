from __future__ import annotations

from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from adapters.system import SystemClock, UlidGenerator, encode_ulid
from core.domain.ids import has_prefix


def test_ids_carry_their_type_prefix_and_26_base32_chars() -> None:
    value = UlidGenerator().new("pay")
    assert value.startswith("pay_")
    assert len(value) == 4 + 26
    assert has_prefix(value, "pay")
    assert not has_prefix(value, "mer")


def test_ids_sort_in_creation_order_even_within_one_millisecond() -> None:
    gen = UlidGenerator()
    ids = [gen.new("pay") for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_encode_ulid_is_fixed_width_and_order_preserving() -> None:
    assert encode_ulid(0) == "0" * 26
    assert encode_ulid(1) < encode_ulid(2) < encode_ulid(1 << 100)


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_encode_ulid_is_crockford_base32_digit_by_digit(value: int) -> None:
    digits, rest = [], value
    for _ in range(26):
        digits.append("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[rest & 31])
        rest >>= 5
    assert encode_ulid(value) == "".join(reversed(digits))


def test_encode_ulid_of_the_largest_value() -> None:
    assert encode_ulid((1 << 128) - 1) == "7" + "Z" * 25


def test_system_clock_is_utc_aware() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_has_prefix_rejects_malformed_ids() -> None:
    for bad in ("pay", "pay_", "_abc", "pay_a-b", "pay_" + "a" * 65, "PAY_abc"):
        assert not has_prefix(bad, "pay")
