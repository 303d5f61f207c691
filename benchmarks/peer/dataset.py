"""The data set both services serve in the transactions and accounts benchmarks.

Preferably exported from our own running service through the public API (the demo provider's
accounts and its ``FINTECH_DEMO_TRANSACTIONS`` transactions), so the peer serves exactly the
same rows. While the banking endpoints are not on this branch, ``generate`` builds a
deterministic set of the same shape (seeded: the same every run).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import httpx

__all__ = ["export_from_api", "for_peer", "generate"]

_MERCHANTS = (
    ("Whole Foods Market", "groceries"),
    ("Safeway", "groceries"),
    ("Starbucks", "dining"),
    ("Chipotle", "dining"),
    ("Shell", "transportation"),
    ("Uber", "transportation"),
    ("Amazon", "shopping"),
    ("Target", "shopping"),
    ("Netflix", "entertainment"),
    ("Spotify", "entertainment"),
    ("Pacific Gas & Electric", "utilities"),
    ("Comcast", "utilities"),
    ("Acme Corp Payroll", "income"),
)


def generate(count: int = 5000, seed: int = 5000) -> dict[str, list[dict[str, Any]]]:
    """Accounts and ``count`` transactions in our API's shape (amounts as decimal strings)."""
    rng = random.Random(seed)
    accounts = [
        _account("acc_demo_checking", "Checking", "depository", "checking", "0001", "5234.10"),
        _account("acc_demo_savings", "Savings", "depository", "savings", "0002", "15000.00"),
        _account("acc_demo_credit", "Credit Card", "credit", "credit card", "0003", "-812.45"),
    ]
    today = date(2026, 11, 25)
    transactions = []
    for i in range(count):
        merchant, category = rng.choice(_MERCHANTS)
        cents = rng.randint(100, 250_000) if category == "income" else -rng.randint(50, 40_000)
        transactions.append(
            {
                "id": f"txn_demo_{i:06d}",
                "account_id": accounts[i % 3]["id"],
                "amount": f"{cents / 100:.2f}",
                "currency": "USD",
                "date": (today - timedelta(days=rng.randint(0, 89))).isoformat(),
                "description": f"{merchant.upper()} #{rng.randint(1000, 9999)}",
                "merchant_name": merchant,
                "category": category,
                "pending": rng.random() < 0.05,
            }
        )
    return {"accounts": accounts, "transactions": transactions}


def _account(
    account_id: str, name: str, kind: str, subtype: str, mask: str, balance: str
) -> dict[str, Any]:
    return {
        "id": account_id,
        "connection_id": "conn_demo",
        "name": name,
        "official_name": f"Demo {name}",
        "type": kind,
        "subtype": subtype,
        "mask": mask,
        "currency": "USD",
        "balance_current": balance,
        "balance_available": balance,
        "institution_name": "Demo Bank",
    }


def export_from_api(client: httpx.Client, headers: dict[str, str]) -> dict[str, list[Any]]:
    """Every account and transaction the caller's demo connection serves, page by page."""
    accounts = client.get("/v1/banking/accounts", headers=headers).raise_for_status().json()
    transactions: list[Any] = []
    page = 1
    while True:
        body = (
            client.get(
                "/v1/banking/transactions",
                params={"page": page, "page_size": 200, "sort_by": "date"},
                headers=headers,
            )
            .raise_for_status()
            .json()
        )
        transactions.extend(body["items"])
        if not body["items"] or len(transactions) >= body.get("total", 0):
            break
        page += 1
    return {"accounts": accounts["items"], "transactions": transactions}


def for_peer(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The same rows as a Plaid/Teller-style provider hands them over: amounts as floats.

    fin-infra filters ``min_amount`` on the signed amount, our API on the absolute value; the
    rows are identical, so both services scan and sort the same 5,000 items.
    """
    transactions = [{**t, "amount": float(t["amount"])} for t in data["transactions"]]
    accounts = [
        {**a, "account_id": a["id"], "balances": {"current": a["balance_current"]}}
        for a in data["accounts"]
    ]
    return {"accounts": accounts, "transactions": transactions}
