"""The demo bank: a deterministic, realistic data set derived from the public token.

Any public token starting with ``demo-`` links; the access token carries a digest of it,
so the same public token always yields the same accounts, transactions and owner (dates
are relative to the clock's today: the last 90 days).
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from core.domain.banking import (
    AccountRecord,
    BalanceRecord,
    ExchangedToken,
    IdentityOwner,
    InvalidPublicToken,
    LinkToken,
    TransactionRecord,
)
from ports.clock import Clock

__all__ = ["DEMO_INSTITUTION", "DemoBank"]

DEMO_INSTITUTION = "Demo Federal Bank"
_PREFIX = "demo-"
_ACCESS_PREFIX = "demo-access-"
_DAYS = 90
_CENT = Decimal("0.01")

# (merchant, category, low, high, account) — account: "chk" debit card or "cc" credit card.
_MERCHANTS: tuple[tuple[str, str, int, int, str], ...] = (
    ("Whole Foods Market", "groceries", 1800, 18000, "cc"),
    ("Trader Joe's", "groceries", 1500, 12000, "chk"),
    ("Starbucks", "dining", 350, 1400, "cc"),
    ("Chipotle", "dining", 950, 2800, "cc"),
    ("Shell", "transportation", 2500, 7500, "chk"),
    ("Uber", "transportation", 800, 4800, "cc"),
    ("Amazon", "shopping", 900, 25000, "cc"),
    ("Target", "shopping", 1500, 20000, "chk"),
    ("CVS Pharmacy", "health", 500, 6000, "chk"),
    ("AMC Theatres", "entertainment", 1200, 4500, "cc"),
    ("Delta Air Lines", "travel", 15000, 60000, "cc"),
    ("Airbnb", "travel", 12000, 50000, "cc"),
    ("Home Depot", "home", 1500, 30000, "chk"),
)
_SUBSCRIPTIONS: tuple[tuple[str, str, int, str], ...] = (
    ("Netflix", "entertainment", 1549, "cc"),
    ("Spotify", "entertainment", 1099, "cc"),
    ("Comcast Xfinity", "utilities", 7999, "chk"),
    ("PG&E", "utilities", 11250, "chk"),
)
_FIRST = ("Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery")
_LAST = ("Rivera", "Chen", "Okafor", "Larsen", "Patel", "Novak", "Garcia", "Kim")
_STREETS = ("Market St", "Valencia St", "Oak Ave", "Cedar Ln", "Lakeview Dr", "Elm St")


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT)


class DemoBank:
    """A ``BankAggregator`` with no network: everything is computed from the token."""

    name = "demo"

    def __init__(self, clock: Clock, transactions_per_connection: int = 250) -> None:
        self._clock = clock
        self._count = max(200, transactions_per_connection)
        self._memo: dict[tuple[str, date], tuple[list[TransactionRecord], dict[str, Decimal]]]
        self._memo = {}

    async def create_link(self, user_id: str) -> LinkToken:
        return LinkToken(
            provider=self.name,
            link_token=f"link-demo-{secrets.token_hex(16)}",
            expires_at=self._clock.now() + timedelta(hours=4),
        )

    async def exchange(self, public_token: str) -> ExchangedToken:
        if not public_token.startswith(_PREFIX) or len(public_token) > 512:
            raise InvalidPublicToken("Demo public tokens start with 'demo-'")
        seed = hashlib.sha256(public_token.encode()).hexdigest()
        return ExchangedToken(
            access_token=f"{_ACCESS_PREFIX}{seed}",
            external_id=f"demo_item_{seed[:20]}",
            institution_name=DEMO_INSTITUTION,
        )

    @staticmethod
    def _seed(access_token: str) -> str:
        if not access_token.startswith(_ACCESS_PREFIX):
            raise InvalidPublicToken("Not a demo access token")
        return access_token.removeprefix(_ACCESS_PREFIX)

    def _account_ids(self, seed: str) -> dict[str, str]:
        return {k: f"demo_{k}_{seed[:16]}" for k in ("chk", "sav", "cc")}

    async def accounts(self, access_token: str) -> list[AccountRecord]:
        seed = self._seed(access_token)
        ids = self._account_ids(seed)
        masks = [str(int(seed[i : i + 4], 16) % 10_000).zfill(4) for i in (0, 4, 8)]
        return [
            AccountRecord(ids["chk"], "Everyday Checking", "Demo Everyday Checking",
                          "depository", "checking", masks[0], "USD", DEMO_INSTITUTION),
            AccountRecord(ids["sav"], "High Yield Savings", "Demo High Yield Savings 4.1% APY",
                          "depository", "savings", masks[1], "USD", DEMO_INSTITUTION),
            AccountRecord(ids["cc"], "Rewards Card", "Demo Cash Rewards Visa Signature",
                          "credit", "credit_card", masks[2], "USD", DEMO_INSTITUTION),
        ]  # fmt: skip

    def _generate(self, seed: str) -> tuple[list[TransactionRecord], dict[str, Decimal]]:
        today = self._clock.now().date()
        memo = self._memo.get((seed, today))
        if memo is not None:
            return memo
        rng = random.Random(seed)  # noqa: S311 - demo data, not security
        ids = self._account_ids(seed)
        rows: list[tuple[str, int, date, str, str | None, str, bool]] = []
        start = today - timedelta(days=_DAYS - 1)

        def add(
            acct: str, cents: int, day: date, desc: str, merchant: str | None, cat: str
        ) -> None:
            pending = day >= today - timedelta(days=1) and acct != "sav" and rng.random() < 0.7
            rows.append((acct, cents, day, desc, merchant, cat, pending))

        for week in range(0, _DAYS, 14):  # payroll every other Friday-ish
            add("chk", 285_000 + rng.randrange(0, 5000), start + timedelta(days=week + 3),
                "ACME CORP PAYROLL", "Acme Corp", "income")  # fmt: skip
        for month in range(3):
            day = start + timedelta(days=month * 30 + 5)
            transfer = 50_000 + 10_000 * rng.randrange(0, 5)
            add("chk", -transfer, day, "Transfer to Savings", None, "transfer")
            add("sav", transfer, day, "Transfer from Checking", None, "transfer")
            payment = 80_000 + rng.randrange(0, 60_000)
            add("chk", -payment, day + timedelta(days=10), "Credit Card Payment", None,
                "loan_payments")  # fmt: skip
            add("cc", payment, day + timedelta(days=10), "Payment Thank You", None, "loan_payments")
            add("sav", 3_000 + rng.randrange(0, 2_000), start + timedelta(days=month * 30 + 28),
                "Interest Paid", None, "income")  # fmt: skip
            for merchant, category, cents, acct in _SUBSCRIPTIONS:
                add(acct, -cents, start + timedelta(days=month * 30 + 12), merchant.upper(),
                    merchant, category)  # fmt: skip
        while len(rows) < self._count:
            merchant, category, low, high, acct = rng.choice(_MERCHANTS)
            # A few purchases always fall on the last two days, so some are pending.
            recent = len(rows) % 40 == 0
            day = today - timedelta(days=rng.randrange(0, 2 if recent else _DAYS))
            cents = rng.randrange(low, high)
            if merchant == "Amazon" and rng.random() < 0.08:
                add(acct, cents, day, "AMAZON REFUND", merchant, "shopping")
            else:
                add(acct, -cents, day, f"{merchant.upper()} #{rng.randrange(100, 9999)}",
                    merchant, category)  # fmt: skip
        rows = rows[: self._count]
        records: list[TransactionRecord] = []
        sums = {"chk": 0, "sav": 0, "cc": 0}
        for n, (acct, cents, day, desc, payee, cat, pending) in enumerate(rows):
            sums[acct] += cents
            records.append(
                TransactionRecord(
                    provider_transaction_id=f"demo_txn_{seed[:12]}_{n:06d}",
                    provider_account_id=ids[acct],
                    amount=_money(cents),
                    currency="USD",
                    date=day,
                    description=desc,
                    merchant_name=payee,
                    category=cat,
                    pending=pending,
                )
            )
        records.sort(key=lambda r: (r.date, r.provider_transaction_id), reverse=True)
        cycle_start = today - timedelta(days=30)
        cycle = -sum(
            cents
            for acct, cents, day, *_ in rows
            if acct == "cc" and cents < 0 and day > cycle_start
        )
        base = 200_000 + int(seed[12:16], 16) * 10
        balances = {
            ids["chk"]: _money(max(base + sums["chk"], 12_345)),
            ids["sav"]: _money(1_500_000 + int(seed[16:20], 16) * 5 + sums["sav"]),
            # Credit card balance: what is owed, i.e. the current cycle's purchases.
            ids["cc"]: _money(cycle),
        }
        if len(self._memo) > 64:
            self._memo.clear()
        self._memo[(seed, today)] = (records, balances)
        return records, balances

    async def balances(self, access_token: str) -> list[BalanceRecord]:
        seed = self._seed(access_token)
        _, balances = self._generate(seed)
        ids = self._account_ids(seed)
        limit = max(Decimal("12000.00"), (balances[ids["cc"]] * 2).quantize(Decimal(1000)))
        return [
            BalanceRecord(ids["chk"], balances[ids["chk"]], balances[ids["chk"]], "USD"),
            BalanceRecord(ids["sav"], balances[ids["sav"]], balances[ids["sav"]], "USD"),
            BalanceRecord(ids["cc"], balances[ids["cc"]], limit - balances[ids["cc"]], "USD"),
        ]

    async def transactions(
        self, access_token: str, start: date, end: date
    ) -> list[TransactionRecord]:
        records, _ = self._generate(self._seed(access_token))
        return [r for r in records if start <= r.date <= end]

    async def identity(self, access_token: str) -> list[IdentityOwner]:
        seed = self._seed(access_token)
        rng = random.Random(f"identity:{seed}")  # noqa: S311 - demo data
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        number = rng.randrange(100, 9999)
        return [
            IdentityOwner(
                names=(f"{first} {last}",),
                emails=(f"{first}.{last}@example.com".lower(),),
                phone_numbers=(f"+1415555{rng.randrange(0, 10_000):04d}",),
                addresses=(f"{number} {rng.choice(_STREETS)}, San Francisco, CA 94110, US",),
            )
        ]

    async def revoke(self, access_token: str) -> None:
        self._seed(access_token)  # nothing is held at a demo provider
