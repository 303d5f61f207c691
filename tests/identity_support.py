"""Helpers for tests that go through the identity area (register, log in, act as a user).

Other areas can use ``identity_app`` (the app with cheap argon2id parameters) and
``signed_up`` (a registered, logged-in user with its bearer header) in their own tests.
"""

from __future__ import annotations

from typing import Any

import attrs
from dishka import Provider
from litestar import Litestar

from adapters.security.passwords import Argon2PasswordHasher
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from ports.passwords import PasswordHasher
from tests.fakes import FakeSystemProvider, override

PASSWORD = "correct horse battery staple"


def cheap_hasher() -> Argon2PasswordHasher:
    """Real argon2id with the smallest parameters, so the suite stays fast."""
    return Argon2PasswordHasher(time_cost=1, memory_kib=64, parallelism=1)


def identity_app(
    settings: Settings,
    system: FakeSystemProvider | None = None,
    *providers: Provider,
    hasher: PasswordHasher | None = None,
) -> Litestar:
    return create_app(
        settings,
        FakeSystemProvider() if system is None else system,
        override(PasswordHasher, cheap_hasher() if hasher is None else hasher),
        *providers,
    )


@attrs.frozen
class SignedUp:
    id: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def register(client: Any, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return await client.post(
        "/v1/auth/register", json={"email": email, "password": password, **extra}
    )


async def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    return await client.post("/v1/auth/login", json={"email": email, "password": password})


async def signed_up(client: Any, email: str, password: str = PASSWORD) -> SignedUp:
    """Register ``email`` and log in; the user's id and tokens."""
    created = await register(client, email, password)
    assert created.status_code == 201, created.text
    tokens = await login(client, email, password)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    return SignedUp(
        id=created.json()["id"],
        email=email,
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
    )
