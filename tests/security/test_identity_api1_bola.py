"""OWASP API1 (BOLA): one user cannot reach another user's or another merchant's objects."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Litestar, get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from core.domain.identity import MerchantRole, Principal
from core.services.authorization import OWNER_ONLY, require_member
from ports.directory import Memberships
from tests.auth import auth_headers
from tests.identity_support import identity_app, login, signed_up
from tests.security.bola import assert_bola_across_merchants, assert_hidden_like_missing

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_me_shows_only_the_caller_whoever_else_exists(client) -> None:
    ada = await signed_up(client, "ada@example.com")
    bob = await signed_up(client, "bob@example.com")
    assert (await client.get("/v1/me", headers=ada.headers)).json()["id"] == ada.id
    assert (await client.get("/v1/me", headers=bob.headers)).json()["id"] == bob.id


async def test_logging_out_with_another_users_refresh_token_does_not_end_their_session(
    client,
) -> None:
    ada = await signed_up(client, "ada@example.com")
    bob = await signed_up(client, "bob@example.com")
    out = await client.post(
        "/v1/auth/logout", json={"refresh_token": ada.refresh_token}, headers=bob.headers
    )
    assert out.status_code == 204  # the same answer as for any token: nothing is disclosed
    still = await client.post("/v1/auth/refresh", json={"refresh_token": ada.refresh_token})
    assert still.status_code == 200


async def test_a_token_for_a_user_that_does_not_exist_sees_nothing(settings, client) -> None:
    await signed_up(client, "ada@example.com")
    headers = auth_headers(settings, user_id="usr_GHOST")
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 404
    assert "ada" not in response.text


async def test_refresh_tokens_are_bound_to_their_user(client) -> None:
    ada = await signed_up(client, "ada@example.com")
    await signed_up(client, "bob@example.com")
    pair = (await client.post("/v1/auth/refresh", json={"refresh_token": ada.refresh_token})).json()
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.json()["email"] == "ada@example.com"
    assert (await login(client, "bob@example.com")).status_code == 200


# -- across merchants: the core helper every area uses, proved over HTTP ------------------------


class MerchantThings(Controller):
    """A stand-in for another area's merchant-scoped route, built on ``require_member``."""

    path = "/v1/merchants/{merchant_id:str}/things"

    @get("")
    async def read(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        memberships: FromDishka[Memberships],
    ) -> dict[str, str]:
        await require_member(memberships, principal, merchant_id)
        return {"merchant_id": merchant_id}

    @get("/owner-only")
    async def owner_only(
        self,
        merchant_id: FromPath[str],
        principal: FromDishka[Principal],
        memberships: FromDishka[Memberships],
    ) -> dict[str, str]:
        await require_member(memberships, principal, merchant_id, roles=OWNER_ONLY)
        return {"merchant_id": merchant_id}


@pytest.fixture
async def merchant_client(settings, system) -> AsyncIterator[AsyncTestClient[Litestar]]:
    from dishka.integrations.litestar import DishkaRouter

    app = identity_app(settings, system)
    app.register(DishkaRouter("", route_handlers=[MerchantThings]))
    async with AsyncTestClient(app=app) as c:
        memberships = await app.state.dishka_container.get(Memberships)
        await memberships.add("mer_A", "usr_OWNER_A", MerchantRole.OWNER)
        await memberships.add("mer_A", "usr_STAFF_A", MerchantRole.STAFF)
        await memberships.add("mer_B", "usr_OWNER_B", MerchantRole.OWNER)
        yield c


async def test_a_member_of_another_merchant_gets_the_same_404_as_for_no_merchant(
    settings, merchant_client
) -> None:
    await assert_bola_across_merchants(
        merchant_client,
        path="/v1/merchants/{merchant_id}/things",
        merchant_id="mer_A",
        member_headers=auth_headers(settings, user_id="usr_STAFF_A"),
        outsider_headers=auth_headers(settings, user_id="usr_OWNER_B"),
    )


async def test_staff_get_403_on_owner_only_actions_and_owners_pass(
    settings, merchant_client
) -> None:
    staff = await merchant_client.get(
        "/v1/merchants/mer_A/things/owner-only",
        headers=auth_headers(settings, user_id="usr_STAFF_A"),
    )
    assert staff.status_code == 403
    owner = await merchant_client.get(
        "/v1/merchants/mer_A/things/owner-only",
        headers=auth_headers(settings, user_id="usr_OWNER_A"),
    )
    assert owner.status_code == 200
    await assert_hidden_like_missing(
        merchant_client,
        path="/v1/merchants/mer_A/things/owner-only",
        missing_path="/v1/merchants/mer_nope/things/owner-only",
        headers=auth_headers(settings, user_id="usr_OWNER_B"),
    )


async def test_admins_pass_merchant_checks_without_membership(settings, merchant_client) -> None:
    response = await merchant_client.get(
        "/v1/merchants/mer_B/things/owner-only",
        headers=auth_headers(settings, user_id="usr_OPS", roles=("admin",)),
    )
    assert response.status_code == 200
