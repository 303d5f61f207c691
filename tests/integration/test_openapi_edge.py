"""The published document declares what the edge itself answers, whatever a handler forgot."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest
import schemathesis
from dishka.integrations.litestar import DishkaRouter, FromDishka
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from litestar import Controller, Response, get, post
from litestar.params import Body, FromPath
from litestar.testing import AsyncTestClient
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedStatusCode

from core.domain.identity import Principal
from entrypoints.http.app import create_app
from entrypoints.http.docs import document_edge_responses
from entrypoints.settings import Settings
from tests.auth import auth_headers
from tests.fakes import FakeSystemProvider

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


class _Order(msgspec.Struct, forbid_unknown_fields=True):
    amount: int


class _Open(msgspec.Struct):
    note: str


class _Probe(Controller):
    path = "/v1/probe"

    @get("/{item_id:str}")
    async def one(self, item_id: FromPath[str], principal: FromDishka[Principal]) -> _Open:
        return _Open(note=item_id)

    @post("/")
    async def make(self, data: Annotated[_Order, Body()]) -> _Open:
        return _Open(note=str(data.amount))


async def _document(settings: Settings) -> dict:
    app = create_app(settings, FakeSystemProvider())
    app.register(DishkaRouter("", route_handlers=[_Probe]))
    document_edge_responses(app)
    async with AsyncTestClient(app=app) as client:
        return (await client.get("/schema/openapi.json")).json()


async def test_validation_and_body_limit_answers_are_documented_as_problems(settings) -> None:
    doc = await _document(settings)
    for path, method in (("/v1/probe/{item_id}", "get"), ("/v1/probe", "post")):
        responses = doc["paths"][path][method]["responses"]
        for status in ("400", "413"):
            assert list(responses[status]["content"]) == [PROBLEM]


async def test_a_handler_taking_the_principal_documents_401_and_the_bearer_scheme(settings) -> None:
    doc = await _document(settings)
    secured = doc["paths"]["/v1/probe/{item_id}"]["get"]
    assert "401" in secured["responses"]
    assert secured["security"] == [{"BearerToken": []}]
    open_op = doc["paths"]["/v1/probe"]["post"]
    assert "401" not in open_op["responses"]
    assert "security" not in open_op


async def test_strict_request_structs_forbid_additional_properties_in_the_schema(settings) -> None:
    doc = await _document(settings)
    schemas = doc["components"]["schemas"]
    strict = next(s for name, s in schemas.items() if name.endswith("_Order"))
    loose = next(s for name, s in schemas.items() if name.endswith("_Open"))
    assert strict["additionalProperties"] is False
    assert "additionalProperties" not in loose


async def test_an_optional_body_is_documented_as_not_required(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    assert doc["paths"]["/v1/banking/link"]["post"]["requestBody"]["required"] is False
    assert doc["paths"]["/v1/banking/exchange"]["post"]["requestBody"]["required"] is True


async def test_money_moving_posts_document_a_required_idempotency_key(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    payments = "/v1/merchants/{merchant_id}/payments"
    for path in (
        payments,
        payments + "/{payment_id}/capture",
        payments + "/{payment_id}/void",
        payments + "/{payment_id}/refunds",
        "/v1/merchants/{merchant_id}/settlements",
    ):
        header = next(
            p for p in doc["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"
        )
        assert header["in"] == "header"
        assert header["required"] is True
        assert header["schema"]["maxLength"] == 255


async def test_a_missing_idempotency_key_still_answers_the_contract_code(client, settings) -> None:
    response = await client.post(
        "/v1/merchants/mer_x/payments",
        json={"amount": 100, "currency": "USD"},
        headers=auth_headers(settings),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"


async def test_writes_maintenance_can_pause_document_its_503(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    paths = doc["paths"]
    assert "503" in paths["/v1/budgets"]["post"]["responses"]
    assert "503" in paths["/v1/goals/{goal_id}"]["delete"]["responses"]
    assert "503" not in paths["/v1/budgets"]["get"]["responses"]
    assert "503" not in paths["/v1/auth/login"]["post"]["responses"]


async def test_the_probes_declare_the_body_limit_but_no_validation_error(client) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    live = doc["paths"]["/health/live"]["get"]["responses"]
    assert set(live) == {"200", "413"}


class _Sloppy(Controller):
    path = "/v1/sloppy"

    @get("/")
    async def teapot(self) -> Response[_Open]:
        return Response(_Open(note="undocumented"), status_code=418)


def test_the_schema_fuzzer_reports_a_status_the_document_does_not_declare(settings) -> None:
    app = create_app(settings, FakeSystemProvider())
    app.register(DishkaRouter("", route_handlers=[_Sloppy]))
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operation = schema["/v1/sloppy"]["GET"]

    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=1, deadline=None, database=None)
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate()

    with pytest.raises(FailureGroup) as caught:
        fuzz()
    failures = caught.value.exceptions
    assert any(isinstance(failure, UndefinedStatusCode) for failure in failures), failures
