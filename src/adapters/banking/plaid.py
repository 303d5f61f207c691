"""Plaid: JSON POSTs with the credentials and API version in headers.

Plaid amounts are JSON numbers, positive for money leaving the account: they are decoded
straight into ``Decimal`` (never through float) and negated here, once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import anyio
import httpx
import msgspec
import structlog

from adapters.banking.http import RetryPolicy, Sleep, make_client, retry_after_seconds, send
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

_CATEGORIES = {
    "INCOME": "income",
    "TRANSFER_IN": "transfer",
    "TRANSFER_OUT": "transfer",
    "LOAN_PAYMENTS": "loan_payments",
    "BANK_FEES": "bank_fees",
    "ENTERTAINMENT": "entertainment",
    "FOOD_AND_DRINK": "dining",
    "GENERAL_MERCHANDISE": "shopping",
    "HOME_IMPROVEMENT": "home",
    "MEDICAL": "health",
    "PERSONAL_CARE": "personal_care",
    "GENERAL_SERVICES": "services",
    "GOVERNMENT_AND_NON_PROFIT": "government",
    "TRANSPORTATION": "transportation",
    "TRAVEL": "travel",
    "RENT_AND_UTILITIES": "utilities",
}
_DETAILED = {"FOOD_AND_DRINK_GROCERIES": "groceries"}


class _Balances(msgspec.Struct):
    current: Decimal | None = None
    available: Decimal | None = None
    iso_currency_code: str | None = None
    unofficial_currency_code: str | None = None


class _Account(msgspec.Struct):
    account_id: str
    name: str
    type: str
    balances: _Balances = msgspec.field(default_factory=_Balances)
    official_name: str | None = None
    subtype: str | None = None
    mask: str | None = None


class _Item(msgspec.Struct):
    item_id: str
    institution_id: str | None = None
    institution_name: str | None = None


class _AccountsResponse(msgspec.Struct):
    accounts: list[_Account]
    item: _Item


class _Pfc(msgspec.Struct):
    primary: str = ""
    detailed: str = ""


class _Transaction(msgspec.Struct):
    transaction_id: str
    account_id: str
    amount: Decimal
    date: date
    name: str | None = None
    merchant_name: str | None = None
    pending: bool = False
    iso_currency_code: str | None = None
    unofficial_currency_code: str | None = None
    personal_finance_category: _Pfc | None = None
    category: list[str] | None = None


class _TransactionsResponse(msgspec.Struct):
    transactions: list[_Transaction]
    total_transactions: int


class _Datum(msgspec.Struct):
    data: Any = None


class _Owner(msgspec.Struct):
    names: list[str] = []
    emails: list[_Datum] = []
    phone_numbers: list[_Datum] = []
    addresses: list[_Datum] = []


class _IdentityAccount(msgspec.Struct):
    owners: list[_Owner] = []


class _IdentityResponse(msgspec.Struct):
    accounts: list[_IdentityAccount]


class _LinkResponse(msgspec.Struct):
    link_token: str
    expiration: datetime


class _ExchangeResponse(msgspec.Struct):
    access_token: str
    item_id: str


class _Error(msgspec.Struct):
    error_type: str = ""
    error_code: str = ""
    error_message: str = ""
    request_id: str | None = None


def _category(t: _Transaction) -> str:
    pfc = t.personal_finance_category
    if pfc is not None:
        return _DETAILED.get(pfc.detailed) or _CATEGORIES.get(pfc.primary, "general")
    if t.category:
        legacy = t.category[0].upper().replace(" ", "_")
        return {"FOOD_AND_DRINK": "dining", "SHOPS": "shopping", "TRAVEL": "travel"}.get(
            legacy, "general"
        )
    return "general"


def _currency(b: _Balances | _Transaction) -> str:
    return b.iso_currency_code or b.unofficial_currency_code or "USD"


def _address(value: Any) -> str:
    if isinstance(value, dict):
        parts = [value.get(k) for k in ("street", "city", "region", "postal_code", "country")]
        return ", ".join(str(p) for p in parts if p)
    return str(value)


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
            error = msgspec.json.decode(response.content, type=_Error)
        except msgspec.DecodeError:
            error = _Error()
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
        link = msgspec.json.decode(raw, type=_LinkResponse)
        return LinkToken(provider=self.name, link_token=link.link_token, expires_at=link.expiration)

    async def _accounts(self, access_token: str, path: str = "/accounts/get") -> _AccountsResponse:
        raw = await self.post(path, {"access_token": access_token})
        return msgspec.json.decode(raw, type=_AccountsResponse)

    async def exchange(self, public_token: str) -> ExchangedToken:
        if not public_token or len(public_token) > 512:
            raise InvalidPublicToken("The public token is missing or malformed")
        raw = await self.post(
            "/item/public_token/exchange", {"public_token": public_token}, idempotent=False
        )
        exchanged = msgspec.json.decode(raw, type=_ExchangeResponse)
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
                currency=_currency(a.balances),
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
                currency=_currency(a.balances),
            )
            for a in found.accounts
        ]

    async def transactions(
        self, access_token: str, start: date, end: date
    ) -> list[TransactionRecord]:
        collected: list[_Transaction] = []
        total = None
        for _ in range(MAX_PAGES):
            body = {
                "access_token": access_token,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "options": {"count": PAGE_SIZE, "offset": len(collected)},
            }
            page = msgspec.json.decode(
                await self.post("/transactions/get", body), type=_TransactionsResponse
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
                currency=_currency(t),
                date=t.date,
                description=t.name or t.merchant_name or "",
                merchant_name=t.merchant_name,
                category=_category(t),
                pending=t.pending,
            )
            for t in collected
        ]

    async def identity(self, access_token: str) -> list[IdentityOwner]:
        raw = await self.post("/identity/get", {"access_token": access_token})
        owners: list[IdentityOwner] = []
        for account in msgspec.json.decode(raw, type=_IdentityResponse).accounts:
            for o in account.owners:
                owner = IdentityOwner(
                    names=tuple(o.names),
                    emails=tuple(str(e.data) for e in o.emails if e.data),
                    phone_numbers=tuple(str(p.data) for p in o.phone_numbers if p.data),
                    addresses=tuple(_address(a.data) for a in o.addresses if a.data),
                )
                if owner not in owners:
                    owners.append(owner)
        return owners

    async def revoke(self, access_token: str) -> None:
        await self.post("/item/remove", {"access_token": access_token}, idempotent=False)

    async def webhook_key(self, key_id: str) -> dict[str, Any]:
        """The JWK that signs webhooks, by key id (for ``PlaidWebhookVerifier``)."""
        raw = await self.post("/webhook_verification_key/get", {"key_id": key_id})
        key = msgspec.json.decode(raw).get("key")
        if not isinstance(key, dict):
            raise BankProviderError("Plaid returned no webhook verification key")
        return key
