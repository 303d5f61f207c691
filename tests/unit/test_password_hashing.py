"""argon2id with OWASP's parameters (the real cost, once) and the rehash rule."""

from __future__ import annotations

import pytest

from adapters.security.passwords import Argon2PasswordHasher
from core.domain.errors import ValidationFailed
from core.domain.users import normalise_email, validate_new_user, validate_roles

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"


async def test_the_default_hasher_uses_argon2id_with_owasp_parameters() -> None:
    hasher = Argon2PasswordHasher()
    hashed = await hasher.hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hasher.verify(hashed, PASSWORD)
    assert not await hasher.verify(hashed, PASSWORD + "!")
    assert not hasher.needs_rehash(hashed)


async def test_salts_differ_so_equal_passwords_hash_differently() -> None:
    hasher = Argon2PasswordHasher(time_cost=1, memory_kib=64, parallelism=1)
    assert await hasher.hash(PASSWORD) != await hasher.hash(PASSWORD)


async def test_a_hash_from_older_parameters_needs_rehash() -> None:
    cheap = Argon2PasswordHasher(time_cost=1, memory_kib=64, parallelism=1)
    assert Argon2PasswordHasher().needs_rehash(await cheap.hash(PASSWORD))


async def test_garbage_hashes_verify_false_instead_of_raising() -> None:
    hasher = Argon2PasswordHasher(time_cost=1, memory_kib=64, parallelism=1)
    assert not await hasher.verify("not-a-hash", PASSWORD)
    assert hasher.needs_rehash("not-a-hash")


def test_emails_are_normalised() -> None:
    assert normalise_email("  Ada@Example.COM\t") == "ada@example.com"
    assert validate_new_user(" Ada@Example.com ", PASSWORD, None) == "ada@example.com"


def test_registration_reports_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_new_user("nope", "short", "n" * 201)
    assert [e.field for e in info.value.errors] == ["email", "password", "name"]


@pytest.mark.parametrize("roles", [[], ["root"], ["admin", "owner"]])
def test_roles_must_be_a_non_empty_subset_of_the_platform_roles(roles: list[str]) -> None:
    with pytest.raises(ValidationFailed):
        validate_roles(roles)
    assert validate_roles(["admin", "user", "admin"]) == frozenset({"admin", "user"})
