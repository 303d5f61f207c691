"""``/v1/calc`` over HTTP: decimal strings and JSON numbers in, decimal strings out."""

from __future__ import annotations

import math

import numpy_financial as npf
import pytest

from tests.auth import auth_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def headers(settings):
    return auth_headers(settings)


async def test_calc_requires_a_bearer_token(client) -> None:
    response = await client.post("/v1/calc/npv", json={"rate": "0.1", "cashflows": [1]})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


async def test_npv_accepts_strings_and_numbers_and_answers_a_decimal_string(
    client, headers
) -> None:
    body = {"rate": "0.05", "cashflows": ["-100", 39, 59.5, "55.25", 20]}
    response = await client.post("/v1/calc/npv", json=body, headers=headers)
    assert response.status_code == 200
    npv = response.json()["npv"]
    assert isinstance(npv, str)
    assert math.isclose(float(npv), npf.npv(0.05, [-100, 39, 59.5, 55.25, 20]), rel_tol=1e-12)
    assert len(npv.replace("-", "").replace(".", "").lstrip("0")) >= 10


async def test_irr_agrees_with_numpy_financial(client, headers) -> None:
    flows = [-100, 39, 59, 55, 20]
    response = await client.post("/v1/calc/irr", json={"cashflows": flows}, headers=headers)
    assert response.status_code == 200
    assert math.isclose(float(response.json()["irr"]), npf.irr(flows), rel_tol=1e-9)


async def test_irr_without_a_sign_change_is_422_no_solution(client, headers) -> None:
    response = await client.post("/v1/calc/irr", json={"cashflows": [1, 2, 3]}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "no_solution"


async def test_xnpv_and_xirr_use_actual_365_days(client, headers) -> None:
    flows = [{"date": "2025-01-01", "amount": "-1000"}, {"date": "2026-01-01", "amount": 1100}]
    xnpv = await client.post(
        "/v1/calc/xnpv", json={"rate": "0.1", "cashflows": flows}, headers=headers
    )
    assert xnpv.status_code == 200
    assert xnpv.json() == {"xnpv": "0"}
    xirr = await client.post("/v1/calc/xirr", json={"cashflows": flows}, headers=headers)
    assert xirr.status_code == 200
    assert math.isclose(float(xirr.json()["xirr"]), 0.1, rel_tol=1e-12)


async def test_xnpv_needs_a_rate(client, headers) -> None:
    flows = [{"date": "2025-01-01", "amount": "-1000"}]
    response = await client.post("/v1/calc/xnpv", json={"cashflows": flows}, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_amortization_schedule_ends_at_exactly_zero(client, headers) -> None:
    body = {"principal": "200000", "annual_rate": "0.06", "months": 360}
    response = await client.post("/v1/calc/amortization", json=body, headers=headers)
    assert response.status_code == 200
    data = response.json()
    assert math.isclose(float(data["payment"]), -npf.pmt(0.005, 360, 200000), rel_tol=1e-9)
    schedule = data["schedule"]
    assert len(schedule) == 360
    assert schedule[0] == {
        "month": 1,
        "payment": "1199.11",
        "interest": "1000.00",
        "principal": "199.11",
        "balance": "199800.89",
    }
    assert schedule[-1]["balance"] == "0.00"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/calc/npv", {"rate": "0.1", "cashflows": [1] * 10_001}),
        ("/v1/calc/npv", {"rate": "0.1", "cashflows": []}),
        ("/v1/calc/npv", {"rate": "-1", "cashflows": [1, 2]}),
        ("/v1/calc/npv", {"rate": "abc", "cashflows": [1, 2]}),
        ("/v1/calc/npv", {"rate": "NaN", "cashflows": [1, 2]}),
        ("/v1/calc/npv", {"rate": "0.1", "cashflows": ["Infinity"]}),
        ("/v1/calc/npv", {"rate": "0.1", "cashflows": [1], "extra": 1}),
        ("/v1/calc/irr", {"cashflows": ["1e400", -1]}),
        ("/v1/calc/amortization", {"principal": "1000", "annual_rate": "0.05", "months": 1201}),
        ("/v1/calc/amortization", {"principal": "-5", "annual_rate": "0.05", "months": 12}),
        ("/v1/calc/amortization", {"principal": "1000", "annual_rate": "5", "months": 12}),
        ("/v1/calc/xirr", {"cashflows": [{"date": "2025-13-01", "amount": 1}]}),
    ],
)
async def test_bad_or_out_of_bounds_input_is_400(client, headers, path, body) -> None:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert "Traceback" not in response.text
