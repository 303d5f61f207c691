"""The HTTP edge: probes, problem documents for every error, request ids, body limit."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from ports.sql import DatabaseUnavailable, SqlExecutor, SqlResult, SqlValue
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider, override

pytestmark = pytest.mark.anyio

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "correlation_id"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["correlation_id"] == response.headers["x-request-id"]
    text = response.text.lower()
    for leak in ("traceback", "select ", "insert ", "/work/", "site-packages", '.py"'):
        assert leak not in text
    return body


async def test_live_probe_answers_ok(client) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_probe_is_200_once_migrated(client) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["pending_migrations"] == 0


async def test_ready_probe_is_503_while_migrations_are_pending(sql_url: str) -> None:
    app = create_app(make_settings(sql_url, FINTECH_AUTO_MIGRATE="false"), FakeSystemProvider())
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "migrations_pending"


class _DownExecutor:
    dialect = "sqlite"

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        raise DatabaseUnavailable("connection refused")

    async def ping(self) -> float:
        raise DatabaseUnavailable("connection refused")

    async def close(self) -> None:
        return None


class _BuggyExecutor(_DownExecutor):
    async def ping(self) -> float:
        raise RuntimeError("SELECT secret FROM /work/app/internal.py")


async def test_ready_probe_is_503_when_the_store_is_unreachable(sql_url: str) -> None:
    settings = make_settings(sql_url, FINTECH_AUTO_MIGRATE="false")
    app = create_app(settings, FakeSystemProvider(), override(SqlExecutor, _DownExecutor()))
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["store"] == "unreachable"


async def test_an_unexpected_exception_is_a_500_problem_without_internals(sql_url: str) -> None:
    settings = make_settings(sql_url, FINTECH_AUTO_MIGRATE="false")
    app = create_app(settings, FakeSystemProvider(), override(SqlExecutor, _BuggyExecutor()))
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/health/ready")
    assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text


async def test_unknown_path_is_a_404_problem(client) -> None:
    assert_problem(await client.get("/v1/nowhere"), 404, "not_found")


async def test_wrong_method_is_a_405_problem(client) -> None:
    assert_problem(await client.delete("/health/live"), 405, "method_not_allowed")


async def test_body_over_one_mebibyte_is_a_413_problem_on_any_path(client) -> None:
    for path in ("/health/live", "/v1/anything"):
        response = await client.post(
            path,
            content=b"{" + b" " * (1024 * 1024) + b"}",
            headers={"content-type": "application/json"},
        )
        assert_problem(response, 413, "payload_too_large")


async def test_body_of_exactly_the_limit_is_not_refused_for_size(client) -> None:
    response = await client.post(
        "/health/live", content=b" " * (1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 405


async def test_request_id_is_echoed_when_sane(client) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "abc-123.DEF"})
    assert response.headers["x-request-id"] == "abc-123.DEF"


@pytest.mark.parametrize("bad", ["", "a" * 200, "has space", "semi;colon", "ünï"])
async def test_insane_request_ids_are_replaced(client, bad: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": bad.encode()})
    assert response.headers["x-request-id"] != bad
    assert len(response.headers["x-request-id"]) == 32


async def test_every_response_gets_a_generated_request_id_and_security_headers(client) -> None:
    first = await client.get("/health/live")
    second = await client.get("/nowhere")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    for response in (first, second):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


async def test_openapi_document_is_3_1_and_lists_the_probes(client) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    assert "/health/ready" in doc["paths"]


async def test_docs_page_loads_its_assets_from_the_service_itself(client) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    html = page.text
    assert "https://" not in html
    assert "http://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert f"/schema/assets/{asset}" in html
        assert (await client.get(f"/schema/assets/{asset}")).status_code == 200


async def test_options_lists_every_method_a_path_serves(settings) -> None:
    from dishka.integrations.litestar import DishkaRouter
    from litestar import Controller, get, post

    from entrypoints.http.app import answer_options_with_every_method

    class Items(Controller):
        path = "/v1/items"

        @get("/")
        async def list_items(self) -> dict[str, str]:
            return {}

        @post("/")
        async def add_item(self) -> dict[str, str]:
            return {}

    app = create_app(settings, FakeSystemProvider())
    app.register(DishkaRouter("", route_handlers=[Items]))
    answer_options_with_every_method(app)
    async with AsyncTestClient(app=app) as client:
        items = await client.options("/v1/items")
        live = await client.options("/health/live")
    assert items.status_code == 204
    assert items.headers["allow"] == "GET, OPTIONS, POST"
    assert live.headers["allow"] == "GET, OPTIONS"
