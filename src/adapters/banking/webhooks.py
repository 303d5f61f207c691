"""Verification of provider webhooks over the raw body: Teller HMAC, Plaid ES256 JWT."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import jwt
import msgspec
import structlog
from jwt.algorithms import ECAlgorithm

from core.domain.banking import BankProviderError
from core.domain.errors import AuthenticationFailed
from ports.bank_aggregation import BankWebhookEvent, WebhookEffect
from ports.clock import Clock

__all__ = [
    "PLAID_MAX_AGE",
    "TELLER_TOLERANCE",
    "PlaidWebhookVerifier",
    "TellerWebhookVerifier",
    "teller_signature",
]

TELLER_TOLERANCE = 180
PLAID_MAX_AGE = 300
log = structlog.get_logger("fintech.banking.webhooks")


def _reject(reason: str) -> AuthenticationFailed:
    log.warning("webhook_rejected", reason=reason)
    return AuthenticationFailed("The webhook signature does not verify", code="invalid_signature")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def teller_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed by the signing secret."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class _TellerEvent(msgspec.Struct):
    id: str
    type: str
    payload: dict[str, Any] = {}


class TellerWebhookVerifier:
    """``Teller-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]``; any v1 may match (rotation)."""

    def __init__(self, secret: str, clock: Clock, tolerance: int = TELLER_TOLERANCE) -> None:
        self._secret = secret
        self._clock = clock
        self._tolerance = tolerance

    async def verify(self, headers: Mapping[str, str], body: bytes) -> BankWebhookEvent:
        header = _header(headers, "Teller-Signature")
        if not header:
            raise _reject("missing signature")
        timestamp: int | None = None
        candidates: list[str] = []
        for part in header.split(","):
            key, _, value = part.strip().partition("=")
            if key == "t" and value.isdigit():
                timestamp = int(value)
            elif key == "v1" and value:
                candidates.append(value.strip())
        if timestamp is None or not candidates:
            raise _reject("malformed signature header")
        if abs(self._clock.now().timestamp() - timestamp) > self._tolerance:
            raise _reject("stale timestamp")
        expected = teller_signature(self._secret, timestamp, body)
        # Compare against every candidate (no early exit), in constant time each.
        matched = False
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
        if not matched:
            raise _reject("signature mismatch")
        try:
            event = msgspec.json.decode(body, type=_TellerEvent)
        except msgspec.DecodeError:
            raise _reject("signed body is not a Teller event") from None
        payload = event.payload
        accounts = tuple(
            str(t["account_id"])
            for t in payload.get("transactions") or []
            if isinstance(t, dict) and t.get("account_id")
        )
        effect = {
            "enrollment.disconnected": WebhookEffect.DISCONNECTED,
            "transactions.processed": WebhookEffect.TRANSACTIONS_UPDATED,
        }.get(event.type, WebhookEffect.NONE)
        enrollment = payload.get("enrollment_id")
        return BankWebhookEvent(
            provider="teller",
            event_id=event.id,
            type=event.type,
            effect=effect,
            external_id=str(enrollment) if enrollment else None,
            provider_account_ids=accounts,
        )


class _PlaidEvent(msgspec.Struct):
    webhook_type: str
    webhook_code: str
    item_id: str | None = None
    error: dict[str, Any] | None = None


_PLAID_TRANSACTION_CODES = frozenset(
    {
        "SYNC_UPDATES_AVAILABLE",
        "DEFAULT_UPDATE",
        "INITIAL_UPDATE",
        "HISTORICAL_UPDATE",
        "TRANSACTIONS_REMOVED",
    }
)
_PLAID_RELINK_CODES = frozenset(
    {"PENDING_EXPIRATION", "PENDING_DISCONNECT", "USER_PERMISSION_REVOKED"}
)


def _plaid_effect(event: _PlaidEvent) -> WebhookEffect:
    if event.webhook_type == "TRANSACTIONS" and event.webhook_code in _PLAID_TRANSACTION_CODES:
        return WebhookEffect.TRANSACTIONS_UPDATED
    if event.webhook_type == "ITEM":
        if event.webhook_code in _PLAID_RELINK_CODES:
            return WebhookEffect.DISCONNECTED
        if event.webhook_code == "ERROR" and (event.error or {}).get("error_code") in (
            "ITEM_LOGIN_REQUIRED",
            "ACCESS_NOT_GRANTED",
        ):
            return WebhookEffect.DISCONNECTED
        if event.webhook_code == "LOGIN_REPAIRED":
            return WebhookEffect.REPAIRED
    return WebhookEffect.NONE


class PlaidWebhookVerifier:
    """``Plaid-Verification``: an ES256 JWT over the body's SHA-256, key fetched by ``kid``.

    Keys are cached by kid; the body carries no event id, so the SHA-256 of the raw body
    (the signed claim) identifies the event for deduplication.
    """

    def __init__(
        self,
        fetch_key: Callable[[str], Awaitable[dict[str, Any]]],
        clock: Clock,
        max_age: int = PLAID_MAX_AGE,
    ) -> None:
        self._fetch_key = fetch_key
        self._clock = clock
        self._max_age = max_age
        self._keys: dict[str, dict[str, Any]] = {}

    async def _key(self, kid: str) -> dict[str, Any]:
        key = self._keys.get(kid)
        if key is None:
            try:
                key = await self._fetch_key(kid)
            except BankProviderError:
                raise _reject("verification key unavailable") from None
            self._keys[kid] = key
        return key

    async def verify(self, headers: Mapping[str, str], body: bytes) -> BankWebhookEvent:
        token = _header(headers, "Plaid-Verification")
        if not token:
            raise _reject("missing Plaid-Verification")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _reject("malformed JWT") from None
        kid = header.get("kid")
        if header.get("alg") != "ES256" or not isinstance(kid, str) or not kid:
            raise _reject("unexpected JWT algorithm or no kid")
        jwk = await self._key(kid)
        expired_at = jwk.get("expired_at")
        if isinstance(expired_at, int | float) and expired_at <= self._clock.now().timestamp():
            raise _reject("verification key expired")
        try:
            public_key = ECAlgorithm.from_jwk(json.dumps(jwk))
            claims = jwt.decode(
                token,
                public_key,  # type: ignore[arg-type]
                algorithms=["ES256"],
                options={
                    "require": ["iat", "request_body_sha256"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            raise _reject("JWT signature does not verify") from None
        age = self._clock.now().timestamp() - float(claims["iat"])
        if age > self._max_age or age < -60:
            raise _reject("stale iat")
        digest = hashlib.sha256(body).hexdigest()
        if not hmac.compare_digest(digest, str(claims["request_body_sha256"])):
            raise _reject("body hash mismatch")
        try:
            event = msgspec.json.decode(body, type=_PlaidEvent)
        except msgspec.DecodeError:
            raise _reject("signed body is not a Plaid webhook") from None
        return BankWebhookEvent(
            provider="plaid",
            event_id=f"sha256:{digest}",
            type=f"{event.webhook_type}.{event.webhook_code}",
            effect=_plaid_effect(event),
            external_id=event.item_id,
        )
