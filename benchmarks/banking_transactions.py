"""GET /v1/banking/transactions over loopback with a 5,000-transaction demo connection.

Starts ``fintech serve`` (uvicorn, one worker) on a free loopback port, links one demo
connection, warms the cache, then sends a bounded number of requests from a few concurrent
clients over a mix of filters, sorts and pages. Also times the pure query function alone.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import httpx

from adapters.banking.demo import DemoBank
from adapters.security.tokens import JwtAccessTokens
from adapters.system import SystemClock
from core.domain.banking import BankTransaction, derived_id
from core.domain.identity import Principal
from core.domain.transaction_query import (
    SortBy,
    TransactionIndex,
    TransactionQuery,
    query_transactions,
)

SIZE = 5000
REQUESTS = 3000
CONCURRENCY = 8
SECRET = "benchmark-secret-key-that-is-long-enough"  # noqa: S105 - a throw-away test key
KEYS = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
MIXES = (
    {},
    {"page": "3", "page_size": "50"},
    {"merchant_name": "star"},
    {"sort_by": "amount", "sort_order": "asc", "min_amount": "20"},
    {"category": "dining", "exclude_pending": "true", "sort_by": "merchant"},
    {"start_date": "2026-01-01", "end_date": "2026-01-31", "page_size": "100"},
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _http(base: str) -> None:
    tokens = JwtAccessTokens(
        key=SECRET.encode(), issuer="fintech", audience="fintech-api", ttl_seconds=3600,
        clock=SystemClock(),
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {tokens.issue(Principal(user_id='usr_bench')).token}"}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        created = await client.post("/v1/banking/exchange", json={"public_token": "demo-bench"})
        created.raise_for_status()
        warm = await client.get("/v1/banking/transactions")
        assert warm.json()["total"] == SIZE, warm.text
        latencies: list[float] = []

        async def worker(offset: int) -> None:
            for i in range(offset, REQUESTS, CONCURRENCY):
                t0 = time.perf_counter()
                r = await client.get("/v1/banking/transactions", params=MIXES[i % len(MIXES)])
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 200

        start = time.perf_counter()
        async with anyio.create_task_group() as group:
            for n in range(CONCURRENCY):
                group.start_soon(worker, n)
        total = time.perf_counter() - start
    latencies.sort()
    print(
        f"  HTTP  {REQUESTS / total:8.0f} req/s   p50 {statistics.median(latencies) * 1e3:6.2f} ms"
        f"   p99 {latencies[int(len(latencies) * 0.99) - 1] * 1e3:6.2f} ms"
        f"   ({REQUESTS} requests, {CONCURRENCY} concurrent, 1 worker)"
    )


async def _core() -> None:
    clock = SystemClock()
    bank = DemoBank(clock, SIZE)
    token = (await bank.exchange("demo-bench")).access_token
    today = clock.now().date()
    records = await bank.transactions(token, today - timedelta(days=730), today)
    txns = [
        BankTransaction(derived_id("txn", "con", r.provider_transaction_id), r.provider_account_id,
                        "con", r.amount, r.currency, r.date, r.description, r.merchant_name,
                        r.category, r.pending)
        for r in records
    ]  # fmt: skip
    t0 = time.perf_counter()
    index = TransactionIndex.build(txns)
    build = time.perf_counter() - t0
    queries = [
        TransactionQuery(),
        TransactionQuery(merchant_name="star"),
        TransactionQuery(sort_by=SortBy.AMOUNT, min_amount=Decimal(20)),
    ]
    n = 300
    t0 = time.perf_counter()
    for i in range(n):
        query_transactions(index, queries[i % len(queries)])
    per = (time.perf_counter() - t0) / n
    print(f"  core  index build {build * 1e3:.1f} ms once per data set; query {per * 1e3:.2f} ms")


async def _asgi_call(app: Any, query: str, headers: list[tuple[bytes, bytes]]) -> int:
    path = "/v1/banking/transactions"
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "headers": headers,
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _in_process() -> None:
    """The app alone: raw ASGI calls, one at a time, no sockets and no HTTP client."""
    from litestar.testing import AsyncTestClient

    from entrypoints.http.app import create_app
    from entrypoints.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            {
                "FINTECH_ENV": "test",
                "FINTECH_SQL_URL": f"sqlite:///{Path(tmp) / 'asgi.db'}",
                "FINTECH_SECRET_KEY": SECRET,
                "FINTECH_ENCRYPTION_KEYS": KEYS,
                "FINTECH_DEMO_TRANSACTIONS": str(SIZE),
                "FINTECH_LOG_LEVEL": "WARNING",
            },
            env_file=None,
        )
        app = create_app(settings)
        tokens = JwtAccessTokens(
            key=SECRET.encode(), issuer="fintech", audience="fintech-api", ttl_seconds=3600,
            clock=SystemClock(),
        )  # fmt: skip
        bearer = f"Bearer {tokens.issue(Principal(user_id='usr_bench')).token}"
        async with AsyncTestClient(app=app) as client:
            created = await client.post(
                "/v1/banking/exchange",
                json={"public_token": "demo-bench"},
                headers={"Authorization": bearer},
            )
            created.raise_for_status()
            headers = [(b"authorization", bearer.encode())]
            queries = ["&".join(f"{k}={v}" for k, v in mix.items()) for mix in MIXES]
            assert await _asgi_call(app, "", headers) == 200
            n = 1200
            latencies = []
            start = time.perf_counter()
            for i in range(n):
                t0 = time.perf_counter()
                assert await _asgi_call(app, queries[i % len(queries)], headers) == 200
                latencies.append(time.perf_counter() - t0)
            total = time.perf_counter() - start
    latencies.sort()
    print(
        f"  ASGI  {n / total:8.0f} req/s   p50 {statistics.median(latencies) * 1e3:6.2f} ms"
        f"   p99 {latencies[int(len(latencies) * 0.99) - 1] * 1e3:6.2f} ms"
        "   (in-process, sequential: the app's own cost)"
    )


def main() -> None:
    print(f"banking transactions ({SIZE} per connection):")
    anyio.run(_core)
    anyio.run(_in_process)
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FINTECH_", "TELLER_", "PLAID_"))
        }
        env.update(
            FINTECH_ENV="development",
            FINTECH_SQL_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
            FINTECH_SECRET_KEY=SECRET,
            FINTECH_ENCRYPTION_KEYS=KEYS,
            FINTECH_DEMO_TRANSACTIONS=str(SIZE),
            FINTECH_LOG_LEVEL="WARNING",
            FINTECH_JOBS_ENABLED="false",
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            anyio.run(_http, base)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
