"""The HTTP suite really runs on the store ``FINTECH_TEST_STORE`` names (``just test-stores``)."""

from __future__ import annotations

import os

import pytest

from entrypoints.settings import Settings
from tests.conftest import test_store

pytestmark = pytest.mark.anyio

KINDS = {
    "sqlite": "sqlite",
    "elixir": "elixir",
    "elixir-inline": "elixir",
    "postgresql": "postgresql",
}


@pytest.mark.skipif(
    bool(os.environ.get("FINTECH_TEST_SQL_URL")), reason="an explicit FINTECH_TEST_SQL_URL wins"
)
async def test_the_app_is_ready_on_the_store_the_suite_was_asked_for(
    settings: Settings, client
) -> None:
    store = test_store()
    assert settings.sql_url.kind == KINDS[store]
    assert (settings.sql_url.options.get("params") == "inline") == (store == "elixir-inline")
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["pending_migrations"] == 0
