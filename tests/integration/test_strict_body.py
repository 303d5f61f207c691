"""JSON bodies are decoded strictly into the handler's DTO, as the published schema says."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from dishka.integrations.litestar import DishkaRouter
from litestar import Controller, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.auth import auth_headers
from tests.fakes import FakeSystemProvider

pytestmark = pytest.mark.anyio


class _Order(msgspec.Struct, forbid_unknown_fields=True):
    amount: Decimal
    count: int
    urgent: bool = False


class _Echo(msgspec.Struct):
    amount: str
    count: int
    urgent: bool


class _Probe(Controller):
    path = "/v1/strict-probe"

    @post("/", status_code=200)
    async def echo(self, data: JSONBody[_Order]) -> _Echo:
        return _echo(data)

    @post("/optional", status_code=200)
    async def optional(self, data: JSONBody[_Order | None] = None) -> _Echo:
        return _Echo(amount="none", count=0, urgent=False) if data is None else _echo(data)


def _echo(data: _Order) -> _Echo:
    return _Echo(amount=str(data.amount), count=data.count, urgent=data.urgent)


async def _post(settings: Settings, path: str, content: bytes | None) -> tuple[int, dict]:
    app = create_app(settings, FakeSystemProvider())
    app.register(DishkaRouter("", route_handlers=[_Probe]))
    headers = {"Content-Type": "application/json"} if content is not None else {}
    async with AsyncTestClient(app=app) as client:
        response = await client.post(path, content=content, headers=headers)
        return response.status_code, response.json()


async def test_a_json_number_for_a_decimal_keeps_every_digit(settings) -> None:
    body = b'{"amount": 12345678901234567890.123456789, "count": 1}'
    status, echoed = await _post(settings, "/v1/strict-probe", body)
    assert status == 200
    assert echoed["amount"] == "12345678901234567890.123456789"


@pytest.mark.parametrize(
    "body",
    [
        b'{"amount": "1.5", "count": 1, "urgent": 0}',
        b'{"amount": "1.5", "count": "1"}',
        b'{"amount": "1.5", "count": 1.5}',
        b'{"amount": true, "count": 1}',
    ],
)
async def test_a_value_of_the_wrong_json_type_is_refused_not_coerced(settings, body) -> None:
    status, problem = await _post(settings, "/v1/strict-probe", body)
    assert status == 400
    assert problem["code"] == "validation_failed"
    assert problem["errors"][0]["field"] in {"urgent", "count", "amount"}


async def test_malformed_json_is_a_validation_problem(settings) -> None:
    status, problem = await _post(settings, "/v1/strict-probe", b'{"amount": ')
    assert status == 400
    assert problem["code"] == "validation_failed"


async def test_an_optional_body_may_be_omitted_or_null(settings) -> None:
    assert (await _post(settings, "/v1/strict-probe/optional", None))[1]["amount"] == "none"
    assert (await _post(settings, "/v1/strict-probe/optional", b"null"))[1]["amount"] == "none"


async def test_the_admin_maintenance_switch_refuses_an_integer_for_enabled(
    client, settings
) -> None:
    response = await client.post(
        "/v1/admin/maintenance",
        json={"enabled": 0},
        headers=auth_headers(settings, roles=("user", "admin")),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "enabled"
