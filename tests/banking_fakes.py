"""A scripted bank aggregator for service and HTTP tests (no network)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from adapters.banking.registry import AggregatorRegistry
from core.domain.banking import (
    AccountRecord,
    BalanceRecord,
    ExchangedToken,
    IdentityOwner,
    InvalidPublicToken,
    LinkToken,
    TransactionRecord,
)
from ports.bank_aggregation import BankAggregators

SECRET_TOKEN = "access-secret-DO-NOT-LEAK-1234567890"


class ScriptedBank:
    """Answers from fixed data; ``fail`` makes every data call raise that error."""

    def __init__(self, name: str = "teller", external_id: str = "enr_test_1") -> None:
        self.name = name
        self.external_id = external_id
        self.fail: Exception | None = None
        self.calls: Counter[str] = Counter()
        self.revoked: list[str] = []

    def _call(self, what: str) -> None:
        self.calls[what] += 1
        if self.fail is not None:
            raise self.fail

    async def create_link(self, user_id: str) -> LinkToken:
        return LinkToken(provider=self.name, link_token="nonce", expires_at=datetime(2030, 1, 1))

    async def exchange(self, public_token: str) -> ExchangedToken:
        if public_token != "good":
            raise InvalidPublicToken("bad token")
        return ExchangedToken(SECRET_TOKEN, self.external_id, "Scripted Bank")

    async def accounts(self, access_token: str) -> list[AccountRecord]:
        assert access_token == SECRET_TOKEN
        self._call("accounts")
        return [
            AccountRecord("pa_1", "Checking", None, "depository", "checking", "1111", "USD", "SB"),
            AccountRecord("pa_2", "Card", None, "credit", "credit_card", "2222", "USD", "SB"),
        ]

    async def balances(self, access_token: str) -> list[BalanceRecord]:
        self._call("balances")
        return [
            BalanceRecord("pa_1", Decimal("100.50"), Decimal("90.00"), "USD"),
            BalanceRecord("pa_2", Decimal("20.00"), Decimal("980.00"), "USD"),
        ]

    async def transactions(
        self, access_token: str, start: date, end: date
    ) -> list[TransactionRecord]:
        self._call("transactions")
        return [
            TransactionRecord(
                f"pt_{i}",
                "pa_1" if i % 2 else "pa_2",
                Decimal(-10 - i),
                "USD",
                end - timedelta(days=i),
                f"SHOP {i}",
                "Shop",
                "shopping",
                False,
            )
            for i in range(5)
        ]

    async def identity(self, access_token: str) -> list[IdentityOwner]:
        self._call("identity")
        return [IdentityOwner(("Jane Q Secretname",), ("jane@example.com",), ("+1555",), ())]

    async def revoke(self, access_token: str) -> None:
        self.revoked.append(access_token)


def registry(bank: ScriptedBank) -> BankAggregators:
    return AggregatorRegistry(bank.name, {bank.name: bank})
