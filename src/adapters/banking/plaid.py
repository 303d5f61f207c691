"""Plaid: JSON POSTs with the credentials and API version in headers.

Plaid amounts are JSON numbers, positive for money leaving the account: they are decoded
straight into ``Decimal`` (never through float) and negated here, once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
import httpx
import msgspec
import structlog

from adapters.banking import plaid_wire as wire
from adapters.banking.http import (
    RetryPolicy,
    Sleep,
    decode,
    make_client,
    retry_after_seconds,
    send,
)
from core.domain.banking import (
    AccountRecord,
    BalanceRecord,
    BankProviderError,
    BankProviderRateLimited,
    ConnectionRequiresRelink,
    ExchangedToken,
    IdentityOwner,
    InvalidPublicToken,
    LinkToken,
    TransactionRecord,
)
from ports.clock import Clock

__all__ = ["PLAID_URLS", "PLAID_VERSION", "PlaidBank"]

PLAID_VERSION = "2020-09-14"
PLAID_URLS = {"sandbox": "https://sandbox.plaid.com", "production": "https://production.plaid.com"}
PAGE_SIZE = 500
MAX_PAGES = 200
RELINK_CODES = frozenset(
    {
        "ITEM_LOGIN_REQUIRED",
        "PENDING_EXPIRATION",
        "USER_PERMISSION_REVOKED",
        "ACCESS_NOT_GRANTED",
        "ITEM_LOCKED",
    }
)
log = structlog.get_logger("fintech.banking.plaid")


class PlaidBank:
    """A ``BankAggregator`` for Plaid (``/transactions/get`` with count/offset paging)."""

    name = "plaid"

    def __init__(
        self,
        *,
        client_id: str,
        secret: str,
        clock: Clock,
        base_url: str = PLAID_URLS["sandbox"],
        client_name: str = "Fintech",
        policy: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {
            "PLAID-CLIENT-ID": client_id,
            "PLAID-SECRET": secret,
            "Plaid-Version": PLAID_VERSION,
            "Content-Type": "application/json",
        }
        self._client = make_client(base_url, headers=headers, transport=transport)
        self._clock = clock
        self._client_name = client_name
        self._policy = policy or RetryPolicy()
        self._sleep = sleep

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post(self, path: str, body: dict[str, Any], *, idempotent: bool = True) -> bytes:
        response = await send(
            self._client,
            "POST",
            path,
            provider=self.name,
            policy=self._policy,
            sleep=self._sleep,
            idempotent=idempotent,
            content=msgspec.json.encode(body),
        )
        if response.status_code == 200:
            return response.content
        raise self._error(response, path)

    def _error(self, response: httpx.Response, path: str) -> Exception:
        try:
            error = msgspec.json.decode(response.content, type=wire.Error)
        except msgspec.DecodeError:
            error = wire.Error()
        status = response.status_code
        log.warning(
            "plaid_error",
            path=path,
            status=status,
            error_type=error.error_type,
            error_code=error.error_code,
            plaid_request_id=error.request_id,
        )
        if status == 429 or error.error_code == "RATE_LIMIT_EXCEEDED":
            wait = retry_after_seconds(response.headers.get("retry-after"))
            return BankProviderRateLimited(
                "The bank provider is rate limiting requests", retry_after=int(wait or 60)
            )
        if error.error_code in RELINK_CODES:
            return ConnectionRequiresRelink("The bank connection must be linked again")
        if error.error_code in ("INVALID_PUBLIC_TOKEN",) or (
            path == "/item/public_token/exchange" and error.error_type == "INVALID_INPUT"
        ):
            return InvalidPublicToken("Plaid did not accept this public token")
        return BankProviderError(f"The bank provider failed (HTTP {status})")

    async def create_link(self, user_id: str) -> LinkToken:
        body = {
            "client_name": self._client_name,
            "language": "en",
            "country_codes": ["US"],
            "user": {"client_user_id": user_id},
            "products": ["transactions"],
        }
        raw = await self.post("/link/token/create", body, idempotent=False)
        link = decode(raw, wire.LinkResponse, self.name)
        return LinkToken(provider=self.name, link_token=link.link_token, expires_at=link.expiration)

    async def _accounts(
        self, access_token: str, path: str = "/accounts/get"
    ) -> wire.AccountsResponse:
        raw = await self.post(path, {"access_token": access_token})
        return decode(raw, wire.AccountsResponse, self.name)

    async def exchange(self, public_token: str) -> ExchangedToken:
        if not public_token or len(public_token) > 512:
            raise InvalidPublicToken("The public token is missing or malformed")
        raw = await self.post(
            "/item/public_token/exchange", {"public_token": public_token}, idempotent=False
        )
        exchanged = decode(raw, wire.ExchangeResponse, self.name)
        item = (await self._accounts(exchanged.access_token)).item
        return ExchangedToken(
            access_token=exchanged.access_token,
            external_id=exchanged.item_id,
            institution_name=item.institution_name or item.institution_id or "Unknown institution",
        )

    async def accounts(self, access_token: str) -> list[AccountRecord]:
        found = await self._accounts(access_token)
        institution = found.item.institution_name or found.item.institution_id or "Unknown"
        return [
            AccountRecord(
                provider_account_id=a.account_id,
                name=a.name,
                official_name=a.official_name,
                type=a.type,
                subtype=a.subtype,
                mask=a.mask,
                currency=wire.currency(a.balances),
                institution_name=institution,
            )
            for a in found.accounts
        ]

    async def balances(self, access_token: str) -> list[BalanceRecord]:
        found = await self._accounts(access_token, "/accounts/balance/get")
        return [
            BalanceRecord(
                provider_account_id=a.account_id,
                current=a.balances.current,
                available=a.balances.available,
                currency=wire.currency(a.balances),
            )
            for a in found.accounts
        ]

    async def transactions(
        self, access_token: str, start: date, end: date
    ) -> list[TransactionRecord]:
        collected: list[wire.Transaction] = []
        total = None
        for _ in range(MAX_PAGES):
            body = {
                "access_token": access_token,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "options": {"count": PAGE_SIZE, "offset": len(collected)},
            }
            page = decode(
                await self.post("/transactions/get", body), wire.TransactionsResponse, self.name
            )
            collected.extend(page.transactions)
            total = page.total_transactions
            if not page.transactions or len(collected) >= total:
                break
        return [
            TransactionRecord(
                provider_transaction_id=t.transaction_id,
                provider_account_id=t.account_id,
                amount=-t.amount,
                currency=wire.currency(t),
                date=t.date,
                description=t.name or t.merchant_name or "",
                merchant_name=t.merchant_name,
                category=wire.category(t),
                pending=t.pending,
            )
            for t in collected
            if start <= t.date <= end  # defensive: never hand out rows outside the range
        ]

    async def identity(self, access_token: str) -> list[IdentityOwner]:
        raw = await self.post("/identity/get", {"access_token": access_token})
        owners: list[IdentityOwner] = []
        for account in decode(raw, wire.IdentityResponse, self.name).accounts:
            for o in account.owners:
                owner = IdentityOwner(
                    names=tuple(o.names),
                    emails=tuple(str(e.data) for e in o.emails if e.data),
                    phone_numbers=tuple(str(p.data) for p in o.phone_numbers if p.data),
                    addresses=tuple(wire.owner_address(a.data) for a in o.addresses if a.data),
                )
                if owner not in owners:
                    owners.append(owner)
        return owners

    async def revoke(self, access_token: str) -> None:
        await self.post("/item/remove", {"access_token": access_token}, idempotent=False)

    async def webhook_key(self, key_id: str) -> dict[str, Any]:
        """The JWK that signs webhooks, by key id (for ``PlaidWebhookVerifier``)."""
        raw = await self.post("/webhook_verification_key/get", {"key_id": key_id})
        key = decode(raw, dict[str, Any], self.name).get("key")
        if not isinstance(key, dict):
            raise BankProviderError("Plaid returned no webhook verification key")
        return key
