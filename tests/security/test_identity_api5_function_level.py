"""OWASP API5 (broken function level authorization): admin functions, checked twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.domain.errors import PermissionDenied
from core.domain.identity import Principal
from core.services.audit_trail import AuditTrail
from core.services.identity import IdentityService
from tests.auth import auth_headers
from tests.identity_support import identity_app, register, signed_up

pytestmark = pytest.mark.anyio

ADMIN_ROUTES = [
    ("GET", "/v1/admin/users", None),
    ("POST", "/v1/admin/users/{user_id}/roles", {"roles": ["admin", "user"]}),
    ("GET", "/v1/admin/audit", None),
]


@pytest.fixture
def app(settings, system) -> Litestar:
    return identity_app(settings, system)


@pytest.fixture
async def client(app) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
async def test_admin_routes_are_401_for_anonymous_callers(client, method, path, body) -> None:
    user = (await register(client, "ada@example.com")).json()
    response = await client.request(method, path.format(user_id=user["id"]), json=body)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
async def test_admin_routes_are_403_for_users(client, method, path, body) -> None:
    user = await signed_up(client, "ada@example.com")
    response = await client.request(
        method, path.format(user_id=user.id), json=body, headers=user.headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    me = await client.get("/v1/me", headers=user.headers)
    assert me.json()["roles"] == ["user"]  # a user cannot promote themself


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
async def test_admin_routes_work_for_admins(settings, client, method, path, body) -> None:
    user = (await register(client, "ada@example.com")).json()
    headers = auth_headers(settings, user_id="usr_ADMIN", roles=("admin",))
    response = await client.request(
        method, path.format(user_id=user["id"]), json=body, headers=headers
    )
    assert response.status_code == 200


async def test_a_user_token_claiming_admin_without_a_valid_signature_is_refused(client) -> None:
    user = await signed_up(client, "ada@example.com")
    header, payload, _sig = user.access_token.split(".")
    response = await client.get(
        "/v1/admin/users", headers={"Authorization": f"Bearer {header}.{payload}.AAAA"}
    )
    assert response.status_code == 401


async def test_the_core_services_refuse_users_without_the_http_guard(app, client) -> None:
    identity = await app.state.dishka_container.get(IdentityService)
    trail = await app.state.dishka_container.get(AuditTrail)
    user = Principal("usr_1")
    with pytest.raises(PermissionDenied):
        await identity.list_users(user, after=None, limit=10)
    with pytest.raises(PermissionDenied):
        await identity.set_roles(user, "usr_1", ["admin"])
    with pytest.raises(PermissionDenied):
        await identity.ensure_admin(user, "x@example.com", "long enough password")
    with pytest.raises(PermissionDenied):
        await trail.page(user)
    with pytest.raises(PermissionDenied):
        await trail.after(user, after=None)
