"""AES-GCM under a key ring: the first key seals, any known key opens (for rotation)."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ports.cipher import SealedSecret, SecretUnreadable

__all__ = ["AesGcmKeyRing"]

_NONCE = 12
_VERSION = b"\x01"


class AesGcmKeyRing:
    """``ciphertext`` is base64(version ‖ 96-bit random nonce ‖ AES-GCM output).

    The key id and the caller's context (a connection id) are authenticated as associated
    data, so a sealed token copied onto another row, or relabelled with another key id,
    fails to open instead of decrypting.
    """

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("the key ring needs at least one key")
        self._active = keys[0][0]
        self._keys = {kid: AESGCM(key) for kid, key in keys}

    @property
    def active_key_id(self) -> str:
        return self._active

    def knows(self, key_id: str) -> bool:
        return key_id in self._keys

    @staticmethod
    def _aad(key_id: str, context: str) -> bytes:
        return f"{key_id}\x1f{context}".encode()

    def seal(self, plaintext: str, *, context: str) -> SealedSecret:
        nonce = os.urandom(_NONCE)
        aad = self._aad(self._active, context)
        body = self._keys[self._active].encrypt(nonce, plaintext.encode(), aad)
        return SealedSecret(
            key_id=self._active,
            ciphertext=base64.b64encode(_VERSION + nonce + body).decode("ascii"),
        )

    def open(self, sealed: SealedSecret, *, context: str) -> str:
        aead = self._keys.get(sealed.key_id)
        if aead is None:
            raise SecretUnreadable(f"unknown encryption key id {sealed.key_id!r}")
        try:
            raw = base64.b64decode(sealed.ciphertext, validate=True)
        except (binascii.Error, ValueError):
            raise SecretUnreadable("sealed secret is not valid base64") from None
        if len(raw) < 1 + _NONCE + 16 or raw[:1] != _VERSION:
            raise SecretUnreadable("sealed secret has an unknown format")
        nonce, body = raw[1 : 1 + _NONCE], raw[1 + _NONCE :]
        try:
            return aead.decrypt(nonce, body, self._aad(sealed.key_id, context)).decode()
        except InvalidTag:
            raise SecretUnreadable("sealed secret failed authentication") from None
