"""The real clock and the ULID-style id generator."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

__all__ = ["SystemClock", "UlidGenerator", "encode_ulid"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class SystemClock:
    """Wall clock in UTC, plus the process's monotonic clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


def encode_ulid(value: int) -> str:
    """Render a 128-bit integer as 26 Crockford base32 characters."""
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class UlidGenerator:
    """Type-prefixed ULIDs; monotonic within a millisecond so ids sort by creation order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._last_random = 0

    def new(self, prefix: str) -> str:
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                ms = self._last_ms
                rnd = (self._last_random + 1) & ((1 << 80) - 1)
            else:
                rnd = int.from_bytes(os.urandom(10), "big")
            self._last_ms, self._last_random = ms, rnd
        return f"{prefix}_{encode_ulid((ms << 80) | rnd)}"
