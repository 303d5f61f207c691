"""The auth surface over HTTP: register, login, refresh rotation, logout, me, admin views."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.domain.identity import MerchantRole
from entrypoints.settings import Settings
from ports.directory import Memberships
from tests.auth import auth_headers
from tests.fakes import FakeClock, FakeSystemProvider
from tests.identity_support import identity_app, login, register, signed_up

pytestmark = pytest.mark.anyio


@pytest.fixture
def app(settings: Settings, system: FakeSystemProvider) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


def admin(settings: Settings, clock: FakeClock | None = None) -> dict[str, str]:
    return auth_headers(settings, user_id="usr_ADMIN", roles=("admin", "user"), clock=clock)


async def test_register_returns_the_user_with_a_normalised_email_and_role_user(client) -> None:
    response = await register(client, "  Ada.Lovelace@Example.COM ", name="Ada")
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("usr_")
    assert body == {
        "id": body["id"],
        "email": "ada.lovelace@example.com",
        "name": "Ada",
        "roles": ["user"],
    }


async def test_the_first_registered_user_is_a_plain_user(client) -> None:
    first = await register(client, "first@example.com")
    assert first.json()["roles"] == ["user"]


async def test_registering_a_taken_email_in_any_case_is_409_email_taken(client) -> None:
    await register(client, "ada@example.com")
    response = await register(client, "ADA@example.com")
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


async def test_a_password_under_12_characters_is_400_naming_the_field(client) -> None:
    response = await register(client, "ada@example.com", password="elevenchars")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["errors"][0]["field"] == "password"


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.com", "a b@example.com", ""])
async def test_an_invalid_email_is_400_naming_the_field(client, email: str) -> None:
    response = await register(client, email)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["email"]


async def test_login_returns_a_bearer_pair_that_opens_me(client) -> None:
    created = (await register(client, "ada@example.com", name="Ada")).json()
    response = await login(client, "ADA@example.com ")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert len(body["refresh_token"]) >= 43
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": created["id"],
        "email": "ada@example.com",
        "name": "Ada",
        "roles": ["user"],
        "merchants": [],
    }


async def test_me_lists_the_callers_merchant_memberships(app, client) -> None:
    user = await signed_up(client, "ada@example.com")
    memberships = await app.state.dishka_container.get(Memberships)
    await memberships.add("mer_1", user.id, MerchantRole.OWNER)
    await memberships.add("mer_2", user.id, MerchantRole.STAFF)
    await memberships.add("mer_3", "usr_someone_else", MerchantRole.OWNER)
    me = (await client.get("/v1/me", headers=user.headers)).json()
    assert me["merchants"] == [{"id": "mer_1", "role": "owner"}, {"id": "mer_2", "role": "staff"}]


async def test_unknown_email_and_wrong_password_get_the_identical_answer(client) -> None:
    await register(client, "ada@example.com")
    wrong = await login(client, "ada@example.com", "not the password at all")
    unknown = await login(client, "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: {k: v for k, v in r.json().items() if k != "correlation_id"}  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert strip(wrong)["code"] == "invalid_credentials"
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


async def test_refresh_rotates_the_pair_and_the_new_tokens_work(client) -> None:
    user = await signed_up(client, "ada@example.com")
    response = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert response.status_code == 200
    pair = response.json()
    assert pair["refresh_token"] != user.refresh_token
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    again = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 200


async def test_refresh_carries_role_changes_into_the_new_access_token(settings, client) -> None:
    user = await signed_up(client, "ada@example.com")
    promoted = await client.post(
        f"/v1/admin/users/{user.id}/roles",
        json={"roles": ["admin", "user"]},
        headers=admin(settings),
    )
    assert promoted.status_code == 200
    pair = (
        await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    ).json()
    users = await client.get(
        "/v1/admin/users", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert users.status_code == 200


async def test_an_expired_refresh_token_is_refused(system, client) -> None:
    user = await signed_up(client, "ada@example.com")
    system.fake_clock.advance(30 * 86400 + 1)
    response = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"


async def test_logout_is_204_and_the_session_cannot_refresh_afterwards(client) -> None:
    user = await signed_up(client, "ada@example.com")
    out = await client.post(
        "/v1/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers
    )
    assert out.status_code == 204
    assert out.content == b""
    response = await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert response.status_code == 401


async def test_logout_of_an_unknown_token_is_still_204(client) -> None:
    user = await signed_up(client, "ada@example.com")
    out = await client.post(
        "/v1/auth/logout", json={"refresh_token": "x" * 43}, headers=user.headers
    )
    assert out.status_code == 204


async def test_other_sessions_survive_logout_of_one(client) -> None:
    user = await signed_up(client, "ada@example.com")
    second = (await login(client, "ada@example.com")).json()
    await client.post(
        "/v1/auth/logout", json={"refresh_token": user.refresh_token}, headers=user.headers
    )
    response = await client.post(
        "/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert response.status_code == 200


async def test_admin_lists_users_with_cursor_paging(settings, client) -> None:
    emails = [f"user{i}@example.com" for i in range(5)]
    for email in emails:
        await register(client, email)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/admin/users", params=params, headers=admin(settings))
        assert response.status_code == 200
        body = response.json()
        seen += [u["email"] for u in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == emails
    assert pages == 3
    assert set(body["items"][0]) == {"id", "email", "name", "roles", "created_at", "updated_at"}


async def test_a_forged_cursor_is_400_invalid_cursor(settings, client) -> None:
    response = await client.get(
        "/v1/admin/users", params={"cursor": "' OR 1=1 --"}, headers=admin(settings)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


async def test_admin_sets_roles_and_the_change_is_audited(settings, client) -> None:
    user = (await register(client, "ada@example.com")).json()
    response = await client.post(
        f"/v1/admin/users/{user['id']}/roles", json={"roles": ["admin"]}, headers=admin(settings)
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["admin"]
    trail = await client.get(
        "/v1/admin/audit", params={"action": "user.roles_changed"}, headers=admin(settings)
    )
    [event] = trail.json()["items"]
    assert event["actor_id"] == "usr_ADMIN"
    assert event["target"] == user["id"]


@pytest.mark.parametrize("roles", [[], ["root"], ["admin", "superuser"], "admin", [1]])
async def test_roles_must_be_a_non_empty_subset_of_admin_and_user(settings, client, roles) -> None:
    user = (await register(client, "ada@example.com")).json()
    response = await client.post(
        f"/v1/admin/users/{user['id']}/roles", json={"roles": roles}, headers=admin(settings)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_setting_roles_of_an_unknown_user_is_404(settings, client) -> None:
    response = await client.post(
        "/v1/admin/users/usr_nobody/roles", json={"roles": ["user"]}, headers=admin(settings)
    )
    assert response.status_code == 404


async def test_audit_lists_identity_events_newest_first_with_filters_and_cursor(
    settings, client
) -> None:
    user = await signed_up(client, "ada@example.com")
    await login(client, "ada@example.com", "wrong password here")
    await login(client, "ghost@example.com", "wrong password here")
    await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    await client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})  # reuse
    everything = await client.get("/v1/admin/audit", headers=admin(settings))
    assert everything.status_code == 200
    items = everything.json()["items"]
    assert [(e["action"], e["outcome"]) for e in items] == [
        ("auth.refresh_reuse", "denied"),
        ("auth.login", "failure"),
        ("auth.login", "failure"),
        ("auth.login", "success"),
        ("auth.register", "success"),
    ]
    assert set(items[0]) == {
        "id",
        "at",
        "actor_id",
        "action",
        "target",
        "outcome",
        "correlation_id",
    }
    assert all(e["correlation_id"] for e in items)
    failures = await client.get(
        "/v1/admin/audit",
        params={"actor": user.id, "action": "auth.login"},
        headers=admin(settings),
    )
    assert [e["outcome"] for e in failures.json()["items"]] == ["failure", "success"]
    first = (
        await client.get("/v1/admin/audit", params={"limit": 2}, headers=admin(settings))
    ).json()
    second = (
        await client.get(
            "/v1/admin/audit",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=admin(settings),
        )
    ).json()
    assert [e["id"] for e in first["items"] + second["items"]] == [e["id"] for e in items[:4]]


async def test_audit_since_filters_by_time(settings, system, client) -> None:
    await register(client, "early@example.com")
    system.fake_clock.advance(3600)
    await register(client, "late@example.com")
    headers = admin(settings, system.fake_clock)
    response = await client.get(
        "/v1/admin/audit", params={"since": "2026-01-31T12:30:00Z"}, headers=headers
    )
    assert [e["action"] for e in response.json()["items"]] == ["auth.register"]
    bad = await client.get("/v1/admin/audit", params={"since": "yesterday"}, headers=headers)
    assert bad.status_code == 400
