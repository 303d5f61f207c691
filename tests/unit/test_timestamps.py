"""The stored timestamp format: fixed-width RFC 3339 UTC with microseconds and ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from core.domain.timestamps import rfc3339

moments = st.datetimes(
    min_value=datetime(1000, 1, 2),  # hypothesis takes naive bounds
    max_value=datetime(9999, 12, 30),
    timezones=st.builds(timezone, st.timedeltas(timedelta(hours=-15), timedelta(hours=15))),
)


@given(moments)
def test_rfc3339_is_utc_with_microseconds_and_fixed_width(moment: datetime) -> None:
    text = rfc3339(moment)
    assert text == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert len(text) == 27
    assert datetime.fromisoformat(text) == moment


def test_whole_seconds_keep_their_microseconds() -> None:
    assert rfc3339(datetime(2026, 1, 31, 12, tzinfo=UTC)) == "2026-01-31T12:00:00.000000Z"
