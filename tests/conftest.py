"""Shared fixtures: the anyio backend, settings for tests, the app with fakes, the store URL.

The store the HTTP and repository tests run on (the contract suite runs every store anyway):

- ``FINTECH_TEST_SQL_URL``: an explicit URL, used as is (the tests then share that store);
- ``FINTECH_TEST_STORE``: ``sqlite`` (default: a fresh SQLite file per test), ``elixir`` or
  ``elixir-inline`` (the SQL-over-HTTP test server, started once per session, a fresh
  database per test), ``postgresql`` (the throw-away cluster, a fresh schema per test).

``just test-stores`` runs the whole suite once per store. ``--store-tests-only`` keeps just the
tests that reach the selected store (those that use the ``sql_url`` fixture); the rest do
not read ``FINTECH_TEST_STORE`` and give the same result on every run, so CI runs them once,
in the SQLite run, and runs only the store tests again for the other stores.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from entrypoints.settings import Settings, load_settings
from tests.fakes import FakeSystemProvider
from tests.pg_cluster import ClusterUnavailable, shared_cluster, stop_shared_cluster
from tests.sqlhttp_server import shared_server, stop_shared_server

SHARED = Path(__file__).resolve().parents[2] / "shared"
TEST_SECRET = "test-secret-key-that-is-at-least-32-bytes-long"
TEST_KEYS = "k1:" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-tests-only",
        action="store_true",
        help="run only the tests that use the store FINTECH_TEST_STORE names (the sql_url fixture)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--store-tests-only"):
        return
    kept = [item for item in items if "sql_url" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if "sql_url" not in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


TEST_STORES = ("sqlite", "elixir", "elixir-inline", "postgresql")


def test_store() -> str:
    """The store named by ``FINTECH_TEST_STORE`` (default ``sqlite``)."""
    store = (os.environ.get("FINTECH_TEST_STORE") or "sqlite").strip().lower()
    if store not in TEST_STORES:
        raise pytest.UsageError(
            f"FINTECH_TEST_STORE={store!r}: expected one of {', '.join(TEST_STORES)}"
        )
    return store


test_store.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture(scope="session", autouse=True)
def _session_stores() -> Iterator[None]:
    """Stops the shared SQL-over-HTTP servers and PostgreSQL cluster at session end."""
    yield
    stop_shared_server()
    stop_shared_cluster()


@pytest.fixture
def sql_url(tmp_path: Path) -> Iterator[str]:
    explicit = os.environ.get("FINTECH_TEST_SQL_URL")
    if explicit:
        yield explicit
        return
    store = test_store()
    if store == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    elif store in ("elixir", "elixir-inline"):
        inline = store == "elixir-inline"
        server = shared_server(refuse_params=inline)
        database = uuid.uuid4().hex
        yield server.url(database, inline=inline)
        server.drop_database(database)
    else:
        try:
            cluster = shared_cluster()
        except ClusterUnavailable as exc:
            pytest.fail(f"FINTECH_TEST_STORE=postgresql but {exc}")
        yield cluster.new_schema()


def make_settings(sql_url: str, **overrides: str) -> Settings:
    env = {
        "FINTECH_ENV": "test",
        "FINTECH_SQL_URL": sql_url,
        "FINTECH_SECRET_KEY": TEST_SECRET,
        "FINTECH_ENCRYPTION_KEYS": TEST_KEYS,
        "FINTECH_LOG_LEVEL": "WARNING",
        # In-process apps run no background jobs unless a test asks: jobs share the store
        # and would interleave statements with the request under test.
        "FINTECH_JOBS_ENABLED": "false",
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
