"""AES-GCM sealing of secrets the service must read back (webhook signing secrets).

Format: ``v1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>``. The first key of the ring seals;
any key of the ring opens, so ``FINTECH_ENCRYPTION_KEYS`` can rotate without a migration.
``context`` (the row's id) is bound as associated data: a ciphertext copied onto another row
does not open.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["AesGcmSealer", "SealedSecretError"]

_VERSION = "v1"


class SealedSecretError(Exception):
    """The sealed value is malformed, names an unknown key, or fails authentication."""


class AesGcmSealer:
    def __init__(self, keyring: Sequence[tuple[str, bytes]]) -> None:
        if not keyring:
            raise ValueError("the key ring is empty")
        self._active = keyring[0][0]
        self._keys = {kid: AESGCM(key) for kid, key in keyring}

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self._active].encrypt(nonce, plaintext.encode(), context.encode())
        blob = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{_VERSION}.{self._active}.{blob}"

    def open(self, sealed: str, context: str) -> str:
        version, _, rest = sealed.partition(".")
        kid, _, blob = rest.rpartition(".")
        if version != _VERSION or not kid or not blob:
            raise SealedSecretError("malformed sealed value")
        key = self._keys.get(kid)
        if key is None:
            raise SealedSecretError(f"unknown key id {kid!r}")
        try:
            raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
            return key.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealedSecretError("sealed value does not open with this key") from exc
