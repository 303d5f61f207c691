"""Personal records stay their owner's: no role, parameter or crafted input reaches another's."""

from __future__ import annotations

import pytest

from tests.auth import auth_headers

pytestmark = pytest.mark.anyio

OWNER = "usr_00000000000000000000OWNER"
BUDGET = {
    "name": "Private plans",
    "period_start": "2026-01-01",
    "period_end": "2026-01-31",
    "categories": {"Rent": 100_000},
}


async def test_an_admin_does_not_see_other_users_personal_records(client, settings) -> None:
    owner = auth_headers(settings, user_id=OWNER)
    admin = auth_headers(settings, user_id="usr_0000000000000000000ADMIN", roles=("admin",))
    budget = (await client.post("/v1/budgets", json=BUDGET, headers=owner)).json()
    goal = (
        await client.post("/v1/goals", json={"name": "Secret", "target_amount": 5}, headers=owner)
    ).json()
    await client.post(
        "/v1/net-worth/snapshots", json={"assets": 9, "liabilities": 1}, headers=owner
    )
    assert (await client.get(f"/v1/budgets/{budget['id']}", headers=admin)).status_code == 404
    assert (await client.get(f"/v1/goals/{goal['id']}", headers=admin)).status_code == 404
    for path in ("/v1/budgets?include_deleted=true", "/v1/goals?include_deleted=true"):
        assert (await client.get(path, headers=admin)).json()["total"] == 0
    assert (await client.get("/v1/net-worth/snapshots", headers=admin)).json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "q=' OR '1'='1",
        "q=%25' OR user_id LIKE '%25",
        "q=\\",
        "order_by=name; DROP TABLE budgets",
        "order_by=user_id",
        "order_dir=asc, user_id",
    ],
)
async def test_crafted_list_parameters_match_literally_or_are_refused(
    client, settings, query
) -> None:
    owner = auth_headers(settings, user_id=OWNER)
    other = auth_headers(settings, user_id="usr_00000000000000000000OTHER")
    await client.post("/v1/budgets", json=BUDGET, headers=owner)
    response = await client.get(f"/v1/budgets?{query}", headers=other)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["total"] == 0
    still = await client.get("/v1/budgets", headers=owner)
    assert still.json()["total"] == 1


async def test_ids_from_other_shapes_are_plain_not_found(client, settings) -> None:
    owner = auth_headers(settings, user_id=OWNER)
    for budget_id in ("bud_x' OR '1'='1", "..%2F..%2Fetc", "%00", "bud_" + "9" * 500):
        response = await client.get(f"/v1/budgets/{budget_id}", headers=owner)
        assert response.status_code == 404
        assert response.json()["code"] in ("not_found",)
