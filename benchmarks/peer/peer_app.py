"""The peer the seed documents: fin-infra's banking routes on svc-infra's FastAPI app.

Runs inside the peer's own virtual environment (``fin-infra``, ``svc-infra``, ``uvicorn``),
never in ours: ``benchmarks.http_load`` starts it with ``uvicorn peer_app:app``. The only code
of ours here is the in-memory provider, which serves the data set in the JSON file named by
``PEER_DATASET`` (the same accounts and 5,000 transactions our demo provider serves), the way
an in-memory Plaid/Teller stand-in would: provider dicts, amounts as floats.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fin_infra.banking import add_banking
from fin_infra.providers.base import BankingProvider


class InMemoryBanking(BankingProvider):
    """A ``BankingProvider`` over a fixed data set; every access token sees the same data."""

    def __init__(self, accounts: list[dict[str, Any]], transactions: list[dict[str, Any]]):
        self._accounts = accounts
        self._transactions = transactions

    def create_link_token(self, user_id: str, access_token: str | None = None) -> str:
        return f"link-{user_id}"

    def exchange_public_token(self, public_token: str) -> dict[str, Any]:
        return {"access_token": f"access-{public_token}", "item_id": "item-1"}

    def accounts(self, access_token: str) -> list[dict[str, Any]]:
        return list(self._accounts)

    def transactions(
        self, access_token: str, *, start_date: str | None = None, end_date: str | None = None
    ) -> list[dict[str, Any]]:
        # A fresh list, as a provider client returns: the router sorts it in place.
        return [
            t
            for t in self._transactions
            if (start_date is None or t["date"] >= start_date)
            and (end_date is None or t["date"] <= end_date)
        ]

    def balances(self, access_token: str, account_id: str | None = None) -> dict[str, Any]:
        return {
            a["account_id"]: a["balances"]
            for a in self._accounts
            if account_id in (None, a["account_id"])
        }

    def identity(self, access_token: str) -> dict[str, Any]:
        return {"owners": [{"names": ["Demo User"]}]}

    def remove_item(self, access_token: str) -> bool:
        return True


def build_app() -> Any:
    with open(os.environ["PEER_DATASET"], encoding="utf-8") as handle:
        data = json.load(handle)
    provider = InMemoryBanking(data["accounts"], data["transactions"])
    try:
        from svc_infra.api.fastapi.ease import easy_service_app
        from svc_infra.api.fastapi.middleware.ratelimit import SimpleRateLimitMiddleware

        app = easy_service_app(name="peer", release="bench")
        # Its default limit (120 requests a minute per client) would turn a load test into a
        # measurement of 429s; every other middleware stays as svc-infra sets it up.
        app.user_middleware = [
            m for m in app.user_middleware if m.cls is not SimpleRateLimitMiddleware
        ]
    except Exception:  # svc-infra's bootstrap wants settings we do not give: plain FastAPI
        from fastapi import FastAPI

        app = FastAPI(title="peer")

    add_banking(app, provider=provider)
    return app


app = build_app()
