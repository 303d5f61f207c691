"""Provider webhooks: signatures (valid, tampered, stale, rotated), replays and effects."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from litestar.testing import AsyncTestClient

from adapters.banking.webhooks import PlaidWebhookVerifier, TellerWebhookVerifier, teller_signature
from core.domain.banking import BankProviderError
from core.domain.errors import AuthenticationFailed
from entrypoints.http.app import create_app
from entrypoints.providers.banking import WebhookVerifiers
from ports.bank_aggregation import BankAggregators, WebhookEffect
from tests.auth import auth_headers
from tests.banking_fakes import ScriptedBank, registry
from tests.conftest import make_settings
from tests.fakes import FakeClock, FakeSystemProvider, override

pytestmark = pytest.mark.anyio

SECRET = "teller-signing-secret-for-tests"
KID = "bfbd5111-8e33-4643-8ced-b2e642a72f3c"


def teller_body(event_id: str, type_: str, payload: dict[str, Any]) -> bytes:
    event = {"id": event_id, "type": type_, "timestamp": "2026-01-31T12:00:00Z", "payload": payload}
    return json.dumps(event).encode()


def teller_headers(
    body: bytes, clock: FakeClock, *, secret: str = SECRET, extra: str = ""
) -> dict[str, str]:
    t = int(clock.now().timestamp())
    return {"Teller-Signature": f"t={t},{extra}v1={teller_signature(secret, t, body)}"}


# --- Teller ---------------------------------------------------------------------------------


async def test_a_valid_teller_signature_verifies() -> None:
    clock = FakeClock()
    body = teller_body("wh_1", "enrollment.disconnected", {"enrollment_id": "enr_1"})
    event = await TellerWebhookVerifier(SECRET, clock).verify(teller_headers(body, clock), body)
    assert event.event_id == "wh_1"
    assert event.effect is WebhookEffect.DISCONNECTED
    assert event.external_id == "enr_1"


async def test_any_v1_value_may_match_during_a_secret_rotation() -> None:
    clock = FakeClock()
    body = teller_body("wh_2", "webhook.test", {})
    t = int(clock.now().timestamp())
    old = teller_signature("the-old-secret", t, body)
    header = {"Teller-Signature": f"t={t},v1={old},v1={teller_signature(SECRET, t, body)}"}
    event = await TellerWebhookVerifier(SECRET, clock).verify(header, body)
    assert event.effect is WebhookEffect.NONE


@pytest.mark.parametrize(
    "case", ["tampered", "wrong_secret", "stale", "future", "missing", "garbled"]
)
async def test_bad_teller_signatures_are_refused(case: str) -> None:
    clock = FakeClock()
    body = teller_body("wh_3", "transactions.processed", {})
    headers = teller_headers(body, clock, secret="other" if case == "wrong_secret" else SECRET)
    if case == "tampered":
        body = body.replace(b"wh_3", b"wh_4")
    elif case == "stale":
        clock.advance(181)
    elif case == "future":
        clock.advance(-181)
    elif case == "missing":
        headers = {}
    elif case == "garbled":
        headers = {"Teller-Signature": "v1=abc"}
    with pytest.raises(AuthenticationFailed) as caught:
        await TellerWebhookVerifier(SECRET, clock).verify(headers, body)
    assert caught.value.code == "invalid_signature"


async def test_a_signature_within_three_minutes_is_accepted() -> None:
    clock = FakeClock()
    body = teller_body("wh_5", "webhook.test", {})
    headers = teller_headers(body, clock)
    clock.advance(179)
    assert (await TellerWebhookVerifier(SECRET, clock).verify(headers, body)).event_id == "wh_5"


# --- Plaid ----------------------------------------------------------------------------------


class PlaidKeys:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(ECAlgorithm.to_jwk(self.private.public_key()))
        self.jwk = {
            **jwk,
            "alg": "ES256",
            "kid": KID,
            "use": "sig",
            "created_at": 1,
            "expired_at": None,
        }
        self.fetches: list[str] = []

    async def fetch(self, kid: str) -> dict[str, Any]:
        self.fetches.append(kid)
        if kid != KID:
            raise BankProviderError("no such key")
        return self.jwk

    def sign(self, body: bytes, iat: float, *, kid: str = KID, key: Any = None) -> dict[str, str]:
        claims = {"iat": int(iat), "request_body_sha256": hashlib.sha256(body).hexdigest()}
        token = jwt.encode(claims, key or self.private, algorithm="ES256", headers={"kid": kid})
        return {"Plaid-Verification": token}


def plaid_body(
    code: str = "SYNC_UPDATES_AVAILABLE", type_: str = "TRANSACTIONS", **extra: Any
) -> bytes:
    return json.dumps(
        {"webhook_type": type_, "webhook_code": code, "item_id": "item_1", **extra}
    ).encode()


async def test_a_valid_plaid_jwt_verifies_and_the_key_is_cached() -> None:
    clock, keys = FakeClock(), PlaidKeys()
    verifier = PlaidWebhookVerifier(keys.fetch, clock)
    body = plaid_body()
    first = await verifier.verify(keys.sign(body, clock.now().timestamp()), body)
    other = plaid_body("DEFAULT_UPDATE")
    await verifier.verify(keys.sign(other, clock.now().timestamp()), other)
    assert first.effect is WebhookEffect.TRANSACTIONS_UPDATED
    assert first.external_id == "item_1"
    assert first.event_id == "sha256:" + hashlib.sha256(body).hexdigest()
    assert keys.fetches == [KID]


async def test_item_login_required_is_a_disconnection() -> None:
    clock, keys = FakeClock(), PlaidKeys()
    body = plaid_body("ERROR", "ITEM", error={"error_code": "ITEM_LOGIN_REQUIRED"})
    event = await PlaidWebhookVerifier(keys.fetch, clock).verify(
        keys.sign(body, clock.now().timestamp()), body
    )
    assert event.effect is WebhookEffect.DISCONNECTED


@pytest.mark.parametrize(
    "case", ["tampered", "stale", "other_key", "unknown_kid", "hs256", "missing", "expired_key"]
)
async def test_bad_plaid_verifications_are_refused(case: str) -> None:
    clock, keys = FakeClock(), PlaidKeys()
    body = plaid_body()
    now = clock.now().timestamp()
    headers = keys.sign(body, now)
    if case == "tampered":
        body = plaid_body("DEFAULT_UPDATE")
    elif case == "stale":
        headers = keys.sign(body, now - 301)
    elif case == "other_key":
        headers = keys.sign(body, now, key=ec.generate_private_key(ec.SECP256R1()))
    elif case == "unknown_kid":
        headers = keys.sign(body, now, kid="nope")
    elif case == "hs256":
        claims = {"iat": int(now), "request_body_sha256": hashlib.sha256(body).hexdigest()}
        headers = {
            "Plaid-Verification": jwt.encode(
                claims, "k" * 32, algorithm="HS256", headers={"kid": KID}
            )
        }
    elif case == "missing":
        headers = {}
    elif case == "expired_key":
        keys.jwk["expired_at"] = int(now) - 10
    with pytest.raises(AuthenticationFailed):
        await PlaidWebhookVerifier(keys.fetch, clock).verify(headers, body)


# --- over HTTP: no bearer token, 200/401, replays ignored, effects applied ------------------


@pytest.fixture
def system() -> FakeSystemProvider:
    return FakeSystemProvider()


@pytest.fixture
def scripted() -> ScriptedBank:
    return ScriptedBank(name="teller", external_id="enr_test_1")


@pytest.fixture
async def hooks(sql_url: str, system: FakeSystemProvider, scripted: ScriptedBank) -> Any:
    settings = make_settings(sql_url, TELLER_SIGNING_SECRET=SECRET)
    keys = PlaidKeys()
    verifiers = WebhookVerifiers(
        teller=TellerWebhookVerifier(SECRET, system.fake_clock),
        plaid=PlaidWebhookVerifier(keys.fetch, system.fake_clock),
    )
    app = create_app(
        settings,
        system,
        override(BankAggregators, registry(scripted)),
        override(WebhookVerifiers, verifiers),
    )
    async with AsyncTestClient(app=app) as client:
        client.keys = keys  # type: ignore[attr-defined]
        client.user = auth_headers(settings)  # type: ignore[attr-defined]
        yield client


async def test_teller_webhooks_need_no_bearer_token_and_ignore_replays(
    hooks, system, scripted
) -> None:
    created = await hooks.post(
        "/v1/banking/exchange", json={"public_token": "good"}, headers=hooks.user
    )
    assert created.status_code == 201
    assert (await hooks.get("/v1/banking/transactions", headers=hooks.user)).status_code == 200
    assert scripted.calls["transactions"] == 1

    body = teller_body("wh_tx", "transactions.processed", {"enrollment_id": "enr_test_1"})
    first = await hooks.post(
        "/v1/webhooks/teller", content=body, headers=teller_headers(body, system.fake_clock)
    )
    assert first.status_code == 200
    assert first.json() == {"received": True, "duplicate": False}
    await hooks.get("/v1/banking/transactions", headers=hooks.user)
    assert scripted.calls["transactions"] == 2  # the cache was invalidated

    replay = await hooks.post(
        "/v1/webhooks/teller", content=body, headers=teller_headers(body, system.fake_clock)
    )
    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    await hooks.get("/v1/banking/transactions", headers=hooks.user)
    assert scripted.calls["transactions"] == 2  # ignored: no second invalidation


async def test_a_teller_disconnection_marks_the_connection_for_relink(hooks, system) -> None:
    await hooks.post("/v1/banking/exchange", json={"public_token": "good"}, headers=hooks.user)
    body = teller_body(
        "wh_dc",
        "enrollment.disconnected",
        {"enrollment_id": "enr_test_1", "reason": "disconnected"},
    )
    response = await hooks.post(
        "/v1/webhooks/teller", content=body, headers=teller_headers(body, system.fake_clock)
    )
    assert response.status_code == 200
    [connection] = (await hooks.get("/v1/banking/connections", headers=hooks.user)).json()["items"]
    assert connection["status"] == "relink_required"
    reads = await hooks.get("/v1/banking/accounts", headers=hooks.user)
    assert reads.status_code == 409
    assert reads.json()["code"] == "connection_requires_relink"


async def test_an_unverified_webhook_is_401_and_has_no_effect(hooks, system) -> None:
    await hooks.post("/v1/banking/exchange", json={"public_token": "good"}, headers=hooks.user)
    body = teller_body("wh_bad", "enrollment.disconnected", {"enrollment_id": "enr_test_1"})
    headers = teller_headers(body, system.fake_clock, secret="forged")
    response = await hooks.post("/v1/webhooks/teller", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    [connection] = (await hooks.get("/v1/banking/connections", headers=hooks.user)).json()["items"]
    assert connection["status"] == "active"
    unsigned = await hooks.post("/v1/webhooks/plaid", content=plaid_body())
    assert unsigned.status_code == 401


async def test_plaid_webhooks_verify_over_http_and_replays_are_ignored(hooks, system) -> None:
    body = plaid_body()
    headers = hooks.keys.sign(body, system.fake_clock.now().timestamp())
    first = await hooks.post("/v1/webhooks/plaid", content=body, headers=headers)
    again = await hooks.post("/v1/webhooks/plaid", content=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["duplicate"] is False
    assert again.json()["duplicate"] is True
    stale = hooks.keys.sign(body, time.time() - 10**6)
    assert (await hooks.post("/v1/webhooks/plaid", content=body, headers=stale)).status_code == 401
