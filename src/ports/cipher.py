"""Encryption of secrets at rest (provider access tokens) under a key ring with key ids."""

from __future__ import annotations

from typing import Protocol

import attrs

from core.domain.errors import DomainError

__all__ = ["SealedSecret", "SecretUnreadable", "TokenCipher"]


@attrs.frozen
class SealedSecret:
    """Ciphertext (text-safe) and the id of the key that sealed it."""

    key_id: str
    ciphertext: str = attrs.field(repr=False)


class SecretUnreadable(DomainError):
    """The key is unknown or the ciphertext was tampered with / bound to another record."""

    code = "secret_unreadable"
    title = "Stored secret cannot be decrypted"


class TokenCipher(Protocol):
    @property
    def active_key_id(self) -> str: ...

    def seal(self, plaintext: str, *, context: str) -> SealedSecret:
        """Encrypt under the active key; ``context`` (e.g. the row id) is authenticated too."""
        ...

    def open(self, sealed: SealedSecret, *, context: str) -> str:
        """Decrypt with the key named in ``sealed``; raises ``SecretUnreadable``."""
        ...
