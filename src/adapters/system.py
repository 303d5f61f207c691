"""The real clock and the ULID-style id generator."""

from __future__ import annotations

import base64
import os
import threading
import time
from datetime import UTC, datetime

__all__ = ["SystemClock", "UlidGenerator", "encode_ulid"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# RFC 4648 base32 digit by digit into Crockford's: the C encoder then does the work.
_FROM_RFC4648 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD.encode())


class SystemClock:
    """Wall clock in UTC, plus the process's monotonic clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


def encode_ulid(value: int) -> str:
    """Render a 128-bit integer as 26 Crockford base32 characters."""
    # 26 digits hold 130 bits: shifted left by 30, the value's 160 bits start with the two
    # leading zero bits, and the first 26 of the 32 digits are exactly the value's.
    digits = base64.b32encode((value << 30).to_bytes(20, "big"))[:26]
    return digits.translate(_FROM_RFC4648).decode("ascii")


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
