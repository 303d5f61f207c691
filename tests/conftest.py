"""Shared fixtures: the anyio backend, settings for tests, the app with fakes, the store URL.

``FINTECH_TEST_SQL_URL`` picks the store the HTTP and repository tests run on (default: a
fresh SQLite file per test); the contract suite runs every store it can reach regardless.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from entrypoints.settings import Settings, load_settings
from tests.fakes import FakeSystemProvider

SHARED = Path(__file__).resolve().parents[2] / "shared"
TEST_SECRET = "test-secret-key-that-is-at-least-32-bytes-long"
TEST_KEYS = "k1:" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sql_url(tmp_path: Path) -> str:
    return os.environ.get("FINTECH_TEST_SQL_URL") or f"sqlite:///{tmp_path / 'test.db'}"


def make_settings(sql_url: str, **overrides: str) -> Settings:
    env = {
        "FINTECH_ENV": "test",
        "FINTECH_SQL_URL": sql_url,
        "FINTECH_SECRET_KEY": TEST_SECRET,
        "FINTECH_ENCRYPTION_KEYS": TEST_KEYS,
        "FINTECH_LOG_LEVEL": "WARNING",
        **overrides,
    }
    return load_settings(env, env_file=None)


@pytest.fixture
def settings(sql_url: str) -> Settings:
    return make_settings(sql_url)


@pytest.fixture
def system() -> FakeSystemProvider:
    return FakeSystemProvider()


@pytest.fixture
def app(settings: Settings, system: FakeSystemProvider) -> Litestar:
    return create_app(settings, system)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (contracts live there; CI has it)")
    return SHARED
