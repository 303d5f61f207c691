"""The merchant, payment and settlement sections of API.md, over HTTP in-process."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from core.services.ledger_verification import LedgerVerifier
from entrypoints.settings import Settings
from ports.sql import SqlExecutor
from tests.auth import auth_headers
from tests.payments_support import add_user, http_client, key

pytestmark = pytest.mark.anyio

OWNER = "usr_00000000000000000000000001"
STAFF = "usr_00000000000000000000000002"
OTHER = "usr_00000000000000000000000003"


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a loopback port in the test's own loop (see ``payments_support.serve``)."""
    async with http_client(app) as c:
        yield c


@pytest.fixture
def owner(settings: Settings) -> dict[str, str]:
    return auth_headers(settings, user_id=OWNER)


@pytest.fixture
async def merchant(client: httpx.AsyncClient, owner: dict[str, str]) -> str:
    response = await client.post(
        "/v1/merchants",
        json={"name": "Corner Shop", "default_currency": "USD", "currencies": ["EUR"]},
        headers=owner,
    )
    assert response.status_code == 201
    return str(response.json()["id"])


async def pay(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    merchant: str,
    name: str,
    **body: Any,
) -> Any:
    body = {"amount": 10_000, "currency": "USD", **body}
    return await client.post(
        f"/v1/merchants/{merchant}/payments", json=body, headers={**headers, **key(name)}
    )


async def verify(app: Litestar) -> list[Any]:
    verifier = await app.state.dishka_container.get(LedgerVerifier)
    return await verifier.verify()


async def test_creating_a_merchant_makes_the_caller_its_owner(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    response = await client.get(f"/v1/merchants/{merchant}", headers=owner)
    assert response.status_code == 200
    body = response.json()
    assert {"id", "name", "default_currency", "status", "created_at"} <= set(body)
    assert body["currencies"] == ["USD", "EUR"]
    listed = await client.get("/v1/merchants", headers=owner)
    assert [m["id"] for m in listed.json()["items"]] == [merchant]


async def test_merchants_outside_the_callers_scope_answer_404_and_admins_see_all(
    client: httpx.AsyncClient, settings: Settings, merchant: str
) -> None:
    stranger = auth_headers(settings, user_id=OTHER)
    for path in ("", "/balance", "/ledger", "/payments", "/settlements"):
        response = await client.get(f"/v1/merchants/{merchant}{path}", headers=stranger)
        assert response.status_code == 404, path
    assert (await client.get("/v1/merchants", headers=stranger)).json()["items"] == []
    admin = auth_headers(settings, user_id=OTHER, roles=("admin",))
    assert (await client.get(f"/v1/merchants/{merchant}", headers=admin)).status_code == 200
    assert len((await client.get("/v1/merchants", headers=admin)).json()["items"]) == 1


async def test_owners_add_members_by_email_and_staff_may_not_manage(
    client: httpx.AsyncClient,
    app: Litestar,
    settings: Settings,
    owner: dict[str, str],
    merchant: str,
) -> None:
    executor = await app.state.dishka_container.get(SqlExecutor)
    await add_user(executor, STAFF, "staff@example.com")
    added = await client.post(
        f"/v1/merchants/{merchant}/members",
        json={"email": "Staff@Example.com", "role": "staff"},
        headers=owner,
    )
    assert added.status_code == 201
    assert added.json() == {"merchant_id": merchant, "user_id": STAFF, "role": "staff"}
    unknown = await client.post(
        f"/v1/merchants/{merchant}/members",
        json={"email": "nobody@example.com", "role": "staff"},
        headers=owner,
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "user_not_found"

    staff = auth_headers(settings, user_id=STAFF)
    assert (await client.get(f"/v1/merchants/{merchant}", headers=staff)).status_code == 200
    member = await client.post(
        f"/v1/merchants/{merchant}/members",
        json={"email": "staff@example.com", "role": "owner"},
        headers=staff,
    )
    assert member.status_code == 403
    settle = await client.post(
        f"/v1/merchants/{merchant}/settlements",
        json={"currency": "USD"},
        headers={**staff, **key("s1")},
    )
    assert settle.status_code == 403
    # Staff take payments.
    assert (await pay(client, staff, merchant, "staff-pay")).status_code == 201


async def test_capture_true_captures_at_once_and_posts_the_fee_as_its_own_transfer(
    client: httpx.AsyncClient, app: Litestar, owner: dict[str, str], merchant: str
) -> None:
    response = await pay(
        client, owner, merchant, "k1", description="Café ☕ — 東京", reference="ord-1"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "captured"
    assert body["captured_amount"] == 10_000
    assert body["fee_amount"] == 290 + 30
    assert body["description"] == "Café ☕ — 東京"
    ledger = (await client.get(f"/v1/merchants/{merchant}/ledger", headers=owner)).json()
    kinds = sorted(t["kind"] for t in ledger["items"])
    assert kinds == ["capture", "fee"]
    balance = (await client.get(f"/v1/merchants/{merchant}/balance", headers=owner)).json()
    assert balance == {
        "merchant_id": merchant,
        "balances": [{"currency": "USD", "available": 9_680, "pending": 0, "settled": 0}],
    }
    assert await verify(app) == []


async def test_authorize_then_partial_capture_then_refunds_up_to_the_captured_amount(
    client: httpx.AsyncClient, app: Litestar, owner: dict[str, str], merchant: str
) -> None:
    created = await pay(client, owner, merchant, "k1", capture=False)
    assert created.json()["status"] == "authorized"
    pid = created.json()["id"]
    base = f"/v1/merchants/{merchant}/payments/{pid}"
    too_much = await client.post(
        f"{base}/capture", json={"amount": 10_001}, headers={**owner, **key("c0")}
    )
    assert too_much.status_code == 400
    captured = await client.post(
        f"{base}/capture", json={"amount": 6_000}, headers={**owner, **key("c1")}
    )
    assert captured.status_code == 200
    assert captured.json()["captured_amount"] == 6_000
    again = await client.post(f"{base}/capture", json={}, headers={**owner, **key("c2")})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_state_transition"
    first = await client.post(
        f"{base}/refunds", json={"amount": 4_000}, headers={**owner, **key("r1")}
    )
    assert first.status_code == 201
    assert set(first.json()) >= {"id", "payment_id", "amount", "currency", "status", "created_at"}
    over = await client.post(
        f"{base}/refunds", json={"amount": 2_001}, headers={**owner, **key("r2")}
    )
    assert over.status_code == 409
    assert over.json()["code"] == "refund_exceeds_captured"
    rest = await client.post(
        f"{base}/refunds", json={"amount": 2_000}, headers={**owner, **key("r3")}
    )
    assert rest.status_code == 201
    payment = (await client.get(base, headers=owner)).json()
    assert payment["status"] == "refunded"
    assert payment["refunded_amount"] == 6_000
    refunds = (await client.get(f"{base}/refunds", headers=owner)).json()["items"]
    assert [r["amount"] for r in refunds] == [4_000, 2_000]
    void = await client.post(f"{base}/void", headers={**owner, **key("v1")})
    assert void.status_code == 409
    assert await verify(app) == []


async def test_void_releases_an_authorization_and_moves_no_money(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    pid = (await pay(client, owner, merchant, "k1", capture=False)).json()["id"]
    base = f"/v1/merchants/{merchant}/payments/{pid}"
    voided = await client.post(f"{base}/void", headers={**owner, **key("v1")})
    assert voided.status_code == 200
    assert voided.json()["status"] == "voided"
    capture = await client.post(f"{base}/capture", headers={**owner, **key("c1")})
    assert capture.status_code == 409
    refund = await client.post(
        f"{base}/refunds", json={"amount": 1}, headers={**owner, **key("r1")}
    )
    assert refund.status_code == 409
    assert (await client.get(f"/v1/merchants/{merchant}/ledger", headers=owner)).json()[
        "items"
    ] == []


async def test_amounts_currencies_and_text_are_validated(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    cases = [
        ({"amount": 0}, "validation_failed"),
        ({"amount": 10**12 + 1}, "validation_failed"),
        ({"amount": 1.5}, "validation_failed"),
        ({"currency": "XYZ"}, "unknown_currency"),
        ({"currency": "GBP"}, "currency_not_accepted"),
        ({"description": "x" * 1001}, "validation_failed"),
        ({"reference": "x" * 201}, "validation_failed"),
        ({"status": "captured"}, "validation_failed"),
        ({"merchant_id": "mer_x"}, "validation_failed"),
    ]
    for i, (override, code) in enumerate(cases):
        response = await pay(client, owner, merchant, f"bad{i}", **override)
        assert response.status_code == 400, override
        assert response.json()["code"] == code, override
    ok = await pay(client, owner, merchant, "eur", currency="EUR", amount=10**12)
    assert ok.status_code == 201
    jpy = await client.post(
        "/v1/merchants", json={"name": "Tokyo", "default_currency": "jpy"}, headers=owner
    )
    assert jpy.status_code == 400


async def test_a_replayed_key_returns_the_stored_response_byte_for_byte(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    first = await pay(client, owner, merchant, "same")
    second = await pay(client, owner, merchant, "same")
    assert second.status_code == first.status_code == 201
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = (await client.get(f"/v1/merchants/{merchant}/payments", headers=owner)).json()
    assert len(listed["items"]) == 1


async def test_a_key_reused_for_a_different_request_is_refused(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    await pay(client, owner, merchant, "same")
    response = await pay(client, owner, merchant, "same", amount=5)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


async def test_keys_are_scoped_to_the_principal(
    client: httpx.AsyncClient,
    app: Litestar,
    settings: Settings,
    owner: dict[str, str],
    merchant: str,
) -> None:
    executor = await app.state.dishka_container.get(SqlExecutor)
    await add_user(executor, STAFF, "staff@example.com")
    await client.post(
        f"/v1/merchants/{merchant}/members",
        json={"email": "staff@example.com", "role": "staff"},
        headers=owner,
    )
    staff = auth_headers(settings, user_id=STAFF)
    mine = await pay(client, owner, merchant, "shared-key")
    theirs = await pay(client, staff, merchant, "shared-key")
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


async def test_missing_or_malformed_keys_are_rejected_on_every_money_moving_post(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    pid = (await pay(client, owner, merchant, "k1", capture=False)).json()["id"]
    base = f"/v1/merchants/{merchant}"
    posts = [
        (f"{base}/payments", {"amount": 1, "currency": "USD"}),
        (f"{base}/payments/{pid}/capture", {}),
        (f"{base}/payments/{pid}/void", None),
        (f"{base}/payments/{pid}/refunds", {"amount": 1}),
        (f"{base}/settlements", {"currency": "USD"}),
    ]
    for path, body in posts:
        missing = await client.post(path, json=body, headers=owner)
        assert missing.status_code == 400, path
        assert missing.json()["code"] == "idempotency_key_missing", path
        bad = await client.post(path, json=body, headers={**owner, "Idempotency-Key": "x" * 256})
        assert bad.status_code == 400, path
        ctrl = await client.post(path, json=body, headers={**owner, "Idempotency-Key": "a\tb"})
        assert ctrl.status_code == 400, path
    assert (await client.get(f"{base}/payments/{pid}", headers=owner)).json()[
        "status"
    ] == "authorized"


async def test_a_request_that_failed_validation_stores_nothing(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    refused = await pay(client, owner, merchant, "k1", currency="GBP")
    assert refused.status_code == 400
    accepted = await pay(client, owner, merchant, "k1")
    assert accepted.status_code == 201
    assert "idempotent-replayed" not in accepted.headers


async def test_a_final_4xx_answer_is_stored_and_replayed(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    pid = (await pay(client, owner, merchant, "k1")).json()["id"]
    path = f"/v1/merchants/{merchant}/payments/{pid}/void"
    first = await client.post(path, headers={**owner, **key("v")})
    second = await client.post(path, headers={**owner, **key("v")})
    assert first.status_code == second.status_code == 409
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"


async def test_payments_list_filters_by_status_and_pages_with_a_cursor(
    client: httpx.AsyncClient, owner: dict[str, str], merchant: str
) -> None:
    ids = []
    for i in range(5):
        ids.append((await pay(client, owner, merchant, f"k{i}", capture=i % 2 == 0)).json()["id"])
    base = f"/v1/merchants/{merchant}/payments"
    seen: list[str] = []
    cursor = None
    while True:
        query = f"?limit=2{'&cursor=' + cursor if cursor else ''}"
        page = (await client.get(base + query, headers=owner)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    authorized = (await client.get(f"{base}?status=authorized", headers=owner)).json()["items"]
    assert {p["id"] for p in authorized} == {ids[1], ids[3]}
    assert (await client.get(f"{base}?status=bogus", headers=owner)).status_code == 400
    assert (await client.get(f"{base}?limit=0", headers=owner)).status_code == 400
    assert (await client.get(f"{base}?limit=201", headers=owner)).status_code == 400
    assert (await client.get(f"{base}?cursor=nope", headers=owner)).status_code == 400


async def test_a_settlement_pays_out_every_unsettled_amount_once(
    client: httpx.AsyncClient, app: Litestar, owner: dict[str, str], merchant: str
) -> None:
    first = (await pay(client, owner, merchant, "k1")).json()["id"]
    await pay(client, owner, merchant, "k2", amount=5_000)
    await client.post(
        f"/v1/merchants/{merchant}/payments/{first}/refunds",
        json={"amount": 1_000},
        headers={**owner, **key("r1")},
    )
    base = f"/v1/merchants/{merchant}/settlements"
    settled = await client.post(base, json={"currency": "USD"}, headers={**owner, **key("s1")})
    assert settled.status_code == 201
    body = settled.json()
    # 10,000 - 320 fee + 5,000 - 175 fee - 1,000 refund
    assert body["amount"] == 13_505
    assert body["status"] == "paid"
    assert body["payment_count"] == 2
    assert body["paid_at"] is not None
    nothing = await client.post(base, json={"currency": "USD"}, headers={**owner, **key("s2")})
    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_to_settle"
    listed = (await client.get(base, headers=owner)).json()["items"]
    assert [s["id"] for s in listed] == [body["id"]]
    one = await client.get(f"{base}/{body['id']}", headers=owner)
    assert one.json() == body
    balance = (await client.get(f"/v1/merchants/{merchant}/balance", headers=owner)).json()
    assert balance["balances"] == [
        {"currency": "USD", "available": 0, "pending": 0, "settled": 13_505}
    ]
    assert await verify(app) == []


async def test_every_state_change_is_one_event_whose_data_is_the_api_object(
    client: httpx.AsyncClient, app: Litestar, owner: dict[str, str], merchant: str
) -> None:
    captured = (await pay(client, owner, merchant, "k1")).json()
    authorized = (await pay(client, owner, merchant, "k2", capture=False)).json()
    voided = (
        await client.post(
            f"/v1/merchants/{merchant}/payments/{authorized['id']}/void",
            headers={**owner, **key("v")},
        )
    ).json()
    refund = (
        await client.post(
            f"/v1/merchants/{merchant}/payments/{captured['id']}/refunds",
            json={"amount": 100},
            headers={**owner, **key("r")},
        )
    ).json()
    settlement = (
        await client.post(
            f"/v1/merchants/{merchant}/settlements",
            json={"currency": "USD"},
            headers={**owner, **key("s")},
        )
    ).json()
    executor = await app.state.dishka_container.get(SqlExecutor)
    rows = (await executor.execute("SELECT id, type, data FROM events ORDER BY id")).rows
    events = {str(r[0]): (str(r[1]), json.loads(str(r[2]))) for r in rows}
    assert events[f"evt_{captured['id']}_captured"] == ("payment.captured", captured)
    assert events[f"evt_{voided['id']}_voided"] == ("payment.voided", voided)
    assert events[f"evt_{refund['id']}_created"] == ("refund.created", refund)
    assert events[f"evt_{settlement['id']}_paid"] == ("settlement.paid", settlement)
    assert events[f"evt_{authorized['id']}_authorized"][1]["status"] == "authorized"
    assert sorted(t for t, _ in events.values()) == sorted(
        [
            "payment.authorized",
            "payment.captured",
            "payment.authorized",
            "payment.voided",
            "refund.created",
            "settlement.paid",
        ]
    )
    audit = (
        await executor.execute("SELECT action, target, outcome, actor_id FROM audit_events")
    ).rows
    actions = {(str(a), str(o)) for a, _, o, _ in audit}
    assert {
        ("payment.create", "success"),
        ("payment.void", "success"),
        ("payment.refund", "success"),
        ("settlement.create", "success"),
    } <= actions
    assert all(r[3] == OWNER for r in audit)
