"""Teller over mutual TLS: the access token is the Basic-auth username (empty password).

Amounts are signed decimal strings; Teller reports credit-card purchases as positive, so
amounts on ``credit`` accounts are negated here, once, to the port's convention
(negative = money out).
"""

from __future__ import annotations

import hashlib
import secrets
import ssl
from datetime import date, timedelta
from typing import Any

import anyio
import httpx
import msgspec
import structlog

from adapters.banking import teller_wire as wire
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

__all__ = ["DEFAULT_TELLER_URL", "TellerBank"]

DEFAULT_TELLER_URL = "https://api.teller.io"
PAGE_SIZE = 250
ACCOUNTS_MEMO_SECONDS = 10.0
MAX_PAGES = 200
log = structlog.get_logger("fintech.banking.teller")


class TellerBank:
    """A ``BankAggregator`` for Teller; the SSL context carries the client certificate."""

    name = "teller"

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        clock: Clock,
        base_url: str = DEFAULT_TELLER_URL,
        environment: str = "sandbox",
        policy: RetryPolicy | None = None,
        sleep: Sleep = anyio.sleep,
        page_size: int = PAGE_SIZE,
        client_certificate: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._has_certificate = client_certificate
        # A given transport must carry the TLS context itself (httpx ignores ``verify`` then).
        self._client = make_client(base_url, verify=ssl_context, transport=transport)
        self._page_size = page_size
        self._clock = clock
        self._accounts_memo: dict[str, tuple[float, list[wire.Account]]] = {}
        self._environment = environment
        self._policy = policy or RetryPolicy()
        self._sleep = sleep

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, method: str, token: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await send(
                self._client,
                method,
                path,
                provider=self.name,
                policy=self._policy,
                sleep=self._sleep,
                auth=httpx.BasicAuth(token, ""),
                **kwargs,
            )
        except BankProviderError as exc:
            if self._has_certificate:
                raise
            # Teller drops connections that present no client certificate.
            raise BankProviderError(
                "The bank provider (teller) refused the connection: no client certificate is"
                " configured (Teller requires one outside its sandbox)"
            ) from exc

    async def _get(self, token: str, path: str, params: dict[str, str] | None = None) -> bytes:
        response = await self._send("GET", token, path, params=params)
        if response.status_code == 200:
            return response.content
        raise self._error(response)

    def _error(self, response: httpx.Response) -> Exception:
        status = response.status_code
        try:
            code = msgspec.json.decode(response.content, type=wire.Error).error.code
        except msgspec.DecodeError:
            code = ""
        log.warning("teller_error", status=status, code=code)
        if status == 429:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            return BankProviderRateLimited(
                "The bank provider is rate limiting requests", retry_after=int(wait or 30)
            )
        if status in (401, 403) or code.startswith("enrollment.disconnected"):
            return ConnectionRequiresRelink("The bank connection must be linked again")
        if status == 400:
            return BankProviderError("The bank provider refused the request (client certificate?)")
        if status == 404:
            return BankProviderError("The bank provider does not know this resource")
        if status == 410:
            return BankProviderError("The bank account is closed")
        return BankProviderError(f"The bank provider failed (HTTP {status})")

    async def _accounts(self, token: str) -> list[wire.Account]:
        """``GET /accounts``, remembered for a few seconds: one data load asks three times."""
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._clock.monotonic()
        memo = self._accounts_memo.get(key)
        if memo is not None and now - memo[0] < ACCOUNTS_MEMO_SECONDS:
            return memo[1]
        accounts = decode(await self._get(token, "/accounts"), list[wire.Account], self.name)
        if len(self._accounts_memo) > 1000:
            self._accounts_memo.clear()
        self._accounts_memo[key] = (now, accounts)
        return accounts

    async def create_link(self, user_id: str) -> LinkToken:
        # Teller Connect runs in the browser with the application id; the nonce binds the
        # enrollment it returns to this request.
        return LinkToken(
            provider=self.name,
            link_token=secrets.token_urlsafe(24),
            expires_at=self._clock.now() + timedelta(hours=1),
        )

    async def exchange(self, public_token: str) -> ExchangedToken:
        """Teller Connect hands the access token itself to the client: validate and keep it."""
        if not public_token or len(public_token) > 512:
            raise InvalidPublicToken("The Teller access token is missing or malformed")
        try:
            accounts = await self._accounts(public_token)
        except ConnectionRequiresRelink:
            raise InvalidPublicToken("Teller did not accept this access token") from None
        if not accounts:
            raise InvalidPublicToken("The Teller enrollment has no accounts")
        first = accounts[0]
        return ExchangedToken(
            access_token=public_token,
            external_id=first.enrollment_id,
            institution_name=first.institution.name,
        )

    async def accounts(self, access_token: str) -> list[AccountRecord]:
        return [
            AccountRecord(
                provider_account_id=a.id,
                name=a.name,
                official_name=None,
                type=a.type,
                subtype=a.subtype,
                mask=a.last_four,
                currency=a.currency,
                institution_name=a.institution.name,
            )
            for a in await self._accounts(access_token)
            if a.status == "open"
        ]

    async def balances(self, access_token: str) -> list[BalanceRecord]:
        found: list[BalanceRecord] = []
        for account in await self._accounts(access_token):
            if account.status != "open":
                continue
            raw = await self._get(access_token, f"/accounts/{account.id}/balances")
            balance = decode(raw, wire.Balance, self.name)
            found.append(
                BalanceRecord(
                    provider_account_id=account.id,
                    current=balance.ledger,
                    available=balance.available,
                    currency=account.currency,
                )
            )
        return found

    async def _account_transactions(
        self, token: str, account: wire.Account, start: date, end: date
    ) -> list[wire.Transaction]:
        collected: list[wire.Transaction] = []
        params = {
            "count": str(self._page_size),
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }
        for _ in range(MAX_PAGES):
            raw = await self._get(token, f"/accounts/{account.id}/transactions", params)
            page = decode(raw, list[wire.Transaction], self.name)
            collected.extend(page)
            if len(page) < self._page_size:
                break
            params = {**params, "from_id": page[-1].id}
        return collected

    async def transactions(
        self, access_token: str, start: date, end: date
    ) -> list[TransactionRecord]:
        records: list[TransactionRecord] = []
        for account in await self._accounts(access_token):
            if account.status != "open":
                continue
            sign = -1 if account.type == "credit" else 1
            for t in await self._account_transactions(access_token, account, start, end):
                if not start <= t.date <= end:
                    continue
                details = t.details or wire.Details()
                counterparty = details.counterparty.name if details.counterparty else None
                records.append(
                    TransactionRecord(
                        provider_transaction_id=t.id,
                        provider_account_id=t.account_id,
                        amount=t.amount * sign,
                        currency=account.currency,
                        date=t.date,
                        description=t.description,
                        merchant_name=counterparty.title() if counterparty else None,
                        category=wire.CATEGORY_MAP.get(details.category or "", "general"),
                        pending=t.status == "pending",
                    )
                )
        return records

    async def identity(self, access_token: str) -> list[IdentityOwner]:
        entries = decode(
            await self._get(access_token, "/identity"), list[wire.IdentityEntry], self.name
        )
        owners: list[IdentityOwner] = []
        for entry in entries:
            for o in entry.owners:
                owner = IdentityOwner(
                    names=tuple(str(n.data) for n in o.names if n.data),
                    emails=tuple(str(e.data) for e in o.emails if e.data),
                    phone_numbers=tuple(str(p.data) for p in o.phone_numbers if p.data),
                    addresses=tuple(wire.owner_address(a.data) for a in o.addresses if a.data),
                )
                if owner not in owners:
                    owners.append(owner)
        return owners

    async def revoke(self, access_token: str) -> None:
        """Teller has no token revocation: removing every account ends the enrollment's access."""
        for account in await self._accounts(access_token):
            response = await self._send("DELETE", access_token, f"/accounts/{account.id}")
            if response.status_code not in (200, 204, 404, 410):
                raise self._error(response)
