"""Merchant isolation: nothing of one merchant is visible or movable through another."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.settings import Settings
from tests.auth import auth_headers

pytestmark = pytest.mark.anyio

ALICE = "usr_00000000000000000000000001"
BOB = "usr_00000000000000000000000002"


async def merchant_of(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> str:
    response = await client.post(
        "/v1/merchants", json={"name": "M", "default_currency": "USD"}, headers=headers
    )
    return str(response.json()["id"])


async def test_a_payment_is_invisible_and_immovable_through_another_merchants_path(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    alice, bob = auth_headers(settings, user_id=ALICE), auth_headers(settings, user_id=BOB)
    mine, theirs = await merchant_of(client, alice), await merchant_of(client, bob)
    created = await client.post(
        f"/v1/merchants/{mine}/payments",
        json={"amount": 5_000, "currency": "USD", "capture": False},
        headers={**alice, "Idempotency-Key": "a"},
    )
    pid = created.json()["id"]
    # Bob owns his merchant, but Alice's payment id under it is simply not there.
    crossed = f"/v1/merchants/{theirs}/payments/{pid}"
    assert (await client.get(crossed, headers=bob)).status_code == 404
    for suffix, body in (("/capture", {}), ("/void", None), ("/refunds", {"amount": 1})):
        response = await client.post(
            crossed + suffix, json=body, headers={**bob, "Idempotency-Key": f"b{suffix}"}
        )
        assert response.status_code == 404, suffix
    assert (await client.get(f"{crossed}/refunds", headers=bob)).status_code == 404
    # Through Alice's merchant Bob is not a member: 404, as if it did not exist.
    direct = f"/v1/merchants/{mine}/payments/{pid}"
    assert (await client.get(direct, headers=bob)).status_code == 404
    missing = await client.get(f"/v1/merchants/{mine}/payments/pay_nothere", headers=bob)
    assert missing.status_code == 404
    assert (await client.get(direct, headers=alice)).json()["status"] == "authorized"


async def test_a_non_member_cannot_create_payments_or_settlements(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    alice, bob = auth_headers(settings, user_id=ALICE), auth_headers(settings, user_id=BOB)
    mine = await merchant_of(client, alice)
    pay = await client.post(
        f"/v1/merchants/{mine}/payments",
        json={"amount": 5_000, "currency": "USD"},
        headers={**bob, "Idempotency-Key": "x"},
    )
    assert pay.status_code == 404
    settle = await client.post(
        f"/v1/merchants/{mine}/settlements",
        json={"currency": "USD"},
        headers={**bob, "Idempotency-Key": "y"},
    )
    assert settle.status_code == 404
    added = await client.post(
        f"/v1/merchants/{mine}/members",
        json={"email": "b@example.com", "role": "owner"},
        headers=bob,
    )
    assert added.status_code == 404


async def test_money_endpoints_require_a_token(client: AsyncTestClient[Litestar]) -> None:
    for method, path, body in (
        ("POST", "/v1/merchants", {"name": "M", "default_currency": "USD"}),
        ("GET", "/v1/merchants", None),
        ("GET", "/v1/merchants/mer_1/balance", None),
        ("POST", "/v1/merchants/mer_1/payments", {"amount": 1, "currency": "USD"}),
        ("POST", "/v1/merchants/mer_1/settlements", {"currency": "USD"}),
    ):
        response = await client.request(method, path, json=body, headers={"Idempotency-Key": "k"})
        assert response.status_code == 401, path
