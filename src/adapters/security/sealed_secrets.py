"""Webhook signing secrets sealed with the one AES-GCM key ring (``cipher.AesGcmKeyRing``).

Format: ``v1.<kid>.<ring ciphertext>``, one text column. The first key of the ring seals;
any key of the ring opens, so ``FINTECH_ENCRYPTION_KEYS`` can rotate without a migration.
``context`` (the row's id) is bound as associated data: a ciphertext copied onto another row
does not open.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.security.cipher import AesGcmKeyRing
from ports.cipher import SealedSecret, SecretUnreadable

__all__ = ["AesGcmSealer", "SealedSecretError"]

_VERSION = "v1"


class SealedSecretError(Exception):
    """The sealed value is malformed, names an unknown key, or fails authentication."""


class AesGcmSealer:
    def __init__(self, keyring: Sequence[tuple[str, bytes]]) -> None:
        if not keyring:
            raise ValueError("the key ring is empty")
        self._ring = AesGcmKeyRing(keyring)

    def seal(self, plaintext: str, context: str) -> str:
        sealed = self._ring.seal(plaintext, context=context)
        return f"{_VERSION}.{sealed.key_id}.{sealed.ciphertext}"

    def open(self, sealed: str, context: str) -> str:
        version, _, rest = sealed.partition(".")
        kid, _, blob = rest.rpartition(".")
        if version != _VERSION or not kid or not blob:
            raise SealedSecretError("malformed sealed value")
        try:
            return self._ring.open(SealedSecret(key_id=kid, ciphertext=blob), context=context)
        except SecretUnreadable as exc:
            raise SealedSecretError(str(exc)) from exc
