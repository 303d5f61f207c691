"""NUL never reaches the store: PostgreSQL cannot keep it in text, so no store gets it."""

from __future__ import annotations

import pytest

from tests.auth import auth_headers

pytestmark = pytest.mark.anyio


async def test_a_nul_in_the_path_is_a_plain_404(client, settings) -> None:
    response = await client.get("/v1/budgets/%00", headers=auth_headers(settings))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_a_nul_in_the_query_is_a_400(client, settings) -> None:
    response = await client.get("/v1/budgets?q=a%00b", headers=auth_headers(settings))
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_a_nul_in_a_json_text_field_is_a_400_and_stores_nothing(client, settings) -> None:
    headers = auth_headers(settings)
    body = (
        b'{"name": "a\\u0000b", "period_start": "2026-01-01", "period_end": "2026-01-31",'
        b' "categories": {"food": 100}}'
    )
    response = await client.post(
        "/v1/budgets", content=body, headers={**headers, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert (await client.get("/v1/budgets", headers=headers)).json()["total"] == 0
