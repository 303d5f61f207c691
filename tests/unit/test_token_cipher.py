"""The token vault's cipher: AES-GCM under a key ring, bound to its row and key id."""

from __future__ import annotations

import base64

import pytest

from adapters.security.cipher import AesGcmKeyRing
from ports.cipher import SealedSecret, SecretUnreadable

OLD = ("old", b"o" * 32)
NEW = ("new", b"n" * 32)


def test_a_sealed_token_opens_to_the_original_and_hides_it() -> None:
    ring = AesGcmKeyRing([NEW])
    sealed = ring.seal("access-sandbox-secret", context="con_1")
    assert sealed.key_id == "new"
    assert "access-sandbox-secret" not in sealed.ciphertext
    assert "access-sandbox-secret" not in repr(sealed)
    assert ring.open(sealed, context="con_1") == "access-sandbox-secret"


def test_sealing_twice_gives_different_ciphertexts() -> None:
    ring = AesGcmKeyRing([NEW])
    assert ring.seal("t", context="c").ciphertext != ring.seal("t", context="c").ciphertext


def test_a_token_copied_to_another_row_does_not_open() -> None:
    ring = AesGcmKeyRing([NEW])
    sealed = ring.seal("t", context="con_1")
    with pytest.raises(SecretUnreadable):
        ring.open(sealed, context="con_2")


def test_a_tampered_ciphertext_does_not_open() -> None:
    ring = AesGcmKeyRing([NEW])
    sealed = ring.seal("t", context="c")
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[-1] ^= 1
    tampered = SealedSecret(sealed.key_id, base64.b64encode(bytes(raw)).decode())
    with pytest.raises(SecretUnreadable):
        ring.open(tampered, context="c")


def test_relabelling_the_key_id_does_not_open() -> None:
    ring = AesGcmKeyRing([NEW, ("other", b"n" * 32)])
    sealed = ring.seal("t", context="c")
    with pytest.raises(SecretUnreadable):
        ring.open(SealedSecret("other", sealed.ciphertext), context="c")


def test_the_first_key_seals_and_older_keys_still_open() -> None:
    before = AesGcmKeyRing([OLD]).seal("t", context="c")
    ring = AesGcmKeyRing([NEW, OLD])
    assert ring.active_key_id == "new"
    assert ring.open(before, context="c") == "t"
    assert ring.seal("t", context="c").key_id == "new"


def test_an_unknown_key_id_is_unreadable() -> None:
    sealed = AesGcmKeyRing([OLD]).seal("t", context="c")
    with pytest.raises(SecretUnreadable):
        AesGcmKeyRing([NEW]).open(sealed, context="c")
