"""The ``Fintech-Signature`` header: sign on our side, verify on the merchant's side.

``Fintech-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, keyed with
the endpoint's signing secret. Merchants verify the raw bytes they received (before any JSON
parsing) and refuse timestamps outside a tolerance, which stops replays of old deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = [
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "SignatureError",
    "sign",
    "signature_header",
    "verify",
]

SIGNATURE_HEADER = "Fintech-Signature"
EVENT_ID_HEADER = "Fintech-Event-Id"


class SignatureError(ValueError):
    """The header is malformed, the signature does not match, or the timestamp is stale."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The full ``Fintech-Signature`` header value."""
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, tolerance: int = 300, *, now: float | None = None
) -> int:
    """Check a delivery; returns its timestamp or raises ``SignatureError``.

    Accepts any of several ``v1=`` values (sent while a secret is being rotated).
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("missing t= or v1=")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("timestamp outside the tolerance")
    expected = sign(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("signature mismatch")
    return timestamp
