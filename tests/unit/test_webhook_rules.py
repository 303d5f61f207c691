"""Pure rules of the webhooks area: backoff, signatures, event types, cursors, sealing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.security.sealed_secrets import AesGcmSealer, SealedSecretError
from core.domain.errors import ValidationFailed
from core.domain.ids import has_prefix
from core.domain.webhook_signing import SignatureError, sign, signature_header, verify
from core.domain.webhooks import (
    EVENT_TYPES,
    RetryPolicy,
    attempt_id,
    delivery_id,
    normalise_event_types,
)
from core.services.webhooks import decode_cursor, encode_cursor
from ports.webhooks import Position

T0 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def test_backoff_starts_near_five_seconds_and_doubles() -> None:
    policy = RetryPolicy(base_seconds=5, jitter=0)
    waits = [policy.delay_after(n, 0.5).total_seconds() for n in range(1, 6)]
    assert waits == [5, 10, 20, 40, 80]


def test_backoff_is_capped_and_jitter_stays_within_its_band() -> None:
    policy = RetryPolicy(base_seconds=5, max_delay_seconds=3600, jitter=0.2)
    assert policy.delay_after(40, 0.5).total_seconds() == 3600
    assert policy.delay_after(1, 0.0).total_seconds() == pytest.approx(4.0)
    assert policy.delay_after(1, 0.999999).total_seconds() == pytest.approx(6.0, abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(attempt=st.integers(1, 200), unit=st.floats(0, 1, exclude_max=True))
def test_backoff_never_goes_negative_or_past_the_cap_with_jitter(attempt: int, unit: float) -> None:
    policy = RetryPolicy(base_seconds=5, max_delay_seconds=21600, jitter=0.2)
    wait = policy.delay_after(attempt, unit).total_seconds()
    assert 0 < wait <= 21600 * 1.2


def test_the_horizon_ends_retries() -> None:
    policy = RetryPolicy(base_seconds=5, horizon_seconds=3 * 24 * 3600, jitter=0)
    assert policy.next_attempt_at(first_scheduled=T0, now=T0, attempt=1, random_unit=0.5) == (
        T0 + timedelta(seconds=5)
    )
    late = T0 + timedelta(days=3)
    assert policy.next_attempt_at(first_scheduled=T0, now=late, attempt=9, random_unit=0.5) is None


def test_the_default_schedule_keeps_trying_for_three_days() -> None:
    policy = RetryPolicy()
    now, attempts = T0, 1
    while nxt := policy.next_attempt_at(
        first_scheduled=T0, now=now, attempt=attempts, random_unit=0.5
    ):
        now, attempts = nxt, attempts + 1
    assert timedelta(days=2, hours=18) <= now - T0 <= timedelta(days=3)
    assert 15 <= attempts <= 40


def test_a_signature_verifies_and_any_change_breaks_it() -> None:
    body = b'{"id":"evt_1","type":"payment.captured"}'
    header = signature_header("whsec_a", 1_800_000_000, body)
    assert header == f"t=1800000000,v1={sign('whsec_a', 1_800_000_000, body)}"
    assert verify("whsec_a", header, body, now=1_800_000_100) == 1_800_000_000
    for secret, hdr, data, now in [
        ("whsec_b", header, body, 1_800_000_000),
        ("whsec_a", header, body + b" ", 1_800_000_000),
        ("whsec_a", header.replace("t=1800000000", "t=1800000001"), body, 1_800_000_000),
        ("whsec_a", header, body, 1_800_000_301),
        ("whsec_a", "v1=abc", body, 1_800_000_000),
        ("whsec_a", "t=x,v1=abc", body, 1_800_000_000),
        ("whsec_a", "", body, 1_800_000_000),
    ]:
        with pytest.raises(SignatureError):
            verify(secret, hdr, data, 300, now=now)


def test_verification_accepts_any_of_several_v1_values() -> None:
    body = b"{}"
    good = sign("whsec_new", 100, body)
    assert verify("whsec_new", f"t=100,v1=deadbeef,v1={good}", body, now=100) == 100


def test_event_types_are_validated_and_normalised() -> None:
    assert normalise_event_types(["refund.created", "payment.captured", "refund.created"]) == (
        "payment.captured",
        "refund.created",
    )
    assert normalise_event_types(["payment.failed", "*"]) == ("*",)
    assert set(EVENT_TYPES) == set(normalise_event_types(list(EVENT_TYPES)))
    for bad in ([], ["payment.exploded"], ["PAYMENT.CAPTURED"]):
        with pytest.raises(ValidationFailed):
            normalise_event_types(bad)


def test_delivery_and_attempt_ids_are_deterministic_prefixed_ids() -> None:
    first = delivery_id("whe_1", "evt_1")
    assert first == delivery_id("whe_1", "evt_1")
    assert first != delivery_id("whe_1", "evt_2")
    assert first != delivery_id("whe_2", "evt_1")
    assert attempt_id(first, 1) != attempt_id(first, 2)
    assert has_prefix(attempt_id(first, 1), "whd")


@settings(max_examples=100, deadline=None)
@given(
    created_at=st.text(st.characters(codec="utf-8"), max_size=40),
    item_id=st.text(st.characters(codec="ascii"), max_size=64),
)
def test_cursors_round_trip_both_halves_of_the_sort_key(created_at: str, item_id: str) -> None:
    position = Position(created_at=created_at, id=item_id)
    assert decode_cursor(encode_cursor(position)) == position


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WzFd", "eyJhIjoxfQ", "A" * 600])
def test_foreign_cursors_are_a_validation_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed):
        decode_cursor(cursor)


def test_sealed_secrets_open_only_with_their_context_and_after_rotation() -> None:
    old = AesGcmSealer([("k1", b"1" * 32)])
    sealed = old.seal("whsec_x", "whe_1")
    assert "whsec_x" not in sealed
    assert sealed != old.seal("whsec_x", "whe_1")  # fresh nonce each time
    assert old.open(sealed, "whe_1") == "whsec_x"
    with pytest.raises(SealedSecretError):
        old.open(sealed, "whe_2")
    rotated = AesGcmSealer([("k2", b"2" * 32), ("k1", b"1" * 32)])
    assert rotated.open(sealed, "whe_1") == "whsec_x"
    assert rotated.seal("whsec_y", "whe_1").startswith("v1.k2.")
    with pytest.raises(SealedSecretError):
        AesGcmSealer([("k3", b"3" * 32)]).open(sealed, "whe_1")
    with pytest.raises(SealedSecretError):
        old.open(sealed[:-4] + "AAAA", "whe_1")
