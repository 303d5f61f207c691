"""Payments per second and latency on the embedded store.

Each payment is what ``POST …/payments`` with ``capture: true`` does below HTTP: the
idempotency reservation, membership and merchant reads, the pending row, the capture, two
ledger transfers (capture and fee) in one statement, two events, the audit record and the
stored response. Sequential (latency) and with 32 in flight (throughput).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import anyio

from adapters.sql.migrator import Migrator
from core.domain.identity import Principal
from core.domain.payments import payment_view
from core.services.idempotency import IdempotencyService, Outcome
from core.services.ledger_verification import LedgerVerifier
from core.services.merchants import MerchantService
from core.services.payments import PaymentService
from entrypoints.container import create_container
from entrypoints.observability.logging import configure_logging
from entrypoints.settings import Settings, load_settings
from ports.idempotency import StoredResponse
from ports.sql import SqlExecutor

N = int(os.environ.get("BENCH_PAYMENTS", "2000"))
CONCURRENCY = 32
OWNER = Principal(user_id="usr_bench")


def _settings(db: Path) -> Settings:
    return load_settings(
        {
            "FINTECH_ENV": "test",
            "FINTECH_SQL_URL": f"sqlite:///{db}",
            "FINTECH_SECRET_KEY": "benchmark-secret-key-at-least-32-bytes!!",
            "FINTECH_LOG_LEVEL": "WARNING",
            "FINTECH_ENCRYPTION_KEYS": "bench:" + "A" * 43 + "=",
            # A benchmark principal writes far more than a person: no 429s in the measurement.
            "FINTECH_RATE_MONEY_WRITES": "100000000/60",
        },
        env_file=None,
    )


def _report(label: str, latencies: list[float], elapsed: float) -> None:
    latencies.sort()
    p50 = statistics.median(latencies) * 1e3
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1e3
    rate = len(latencies) / elapsed
    print(f"  {label:<26} {rate:>7.0f} payments/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


async def _run(db: Path) -> None:
    settings = _settings(db)
    configure_logging("WARNING")  # no per-statement debug lines in the measurement
    container = create_container(settings)
    await (await container.get(Migrator)).migrate()
    merchants = await container.get(MerchantService)
    payments = await container.get(PaymentService)
    idempotency = await container.get(IdempotencyService)
    executor = await container.get(SqlExecutor)
    merchant = await merchants.create(OWNER, name="Bench", default_currency="USD")

    async def one(i: int) -> float:
        async def operation(op: str) -> Outcome:
            payment = await payments.create(
                OWNER, merchant.id, amount=1_000 + i, currency="USD", capture=True, payment_id=op
            )
            body = json.dumps(payment_view(payment)).encode()
            return Outcome(StoredResponse(201, "application/json", body))

        start = time.perf_counter()
        await idempotency.run(
            principal_id=OWNER.user_id,
            method="POST",
            route="POST /v1/merchants/{merchant_id}/payments",
            key=f"bench-{i}",
            fingerprint=f"fp-{i}",
            operation_prefix="pay",
            operation=operation,
        )
        return time.perf_counter() - start

    before = (await executor.execute("SELECT COUNT(*) FROM ledger_transfers")).scalar()
    latencies = []
    start = time.perf_counter()
    for i in range(N):
        latencies.append(await one(i))
    _report("sequential", latencies, time.perf_counter() - start)

    latencies = []
    start = time.perf_counter()

    async def worker(w: int) -> None:
        for i in range(N + w, 2 * N, CONCURRENCY):
            latencies.append(await one(i))

    async with anyio.create_task_group() as tg:
        for w in range(CONCURRENCY):
            tg.start_soon(worker, w)
    _report(f"{CONCURRENCY} in flight", latencies, time.perf_counter() - start)

    after = (await executor.execute("SELECT COUNT(*) FROM ledger_transfers")).scalar()
    print(f"  transfers posted: {int(after or 0) - int(before or 0)} for {2 * N} payments")
    violations = await (await container.get(LedgerVerifier)).verify()
    print(f"  verify-ledger: {'ok' if not violations else violations[:3]}")
    await container.close()


async def _run_http(db: Path) -> None:
    """The same payment over real HTTP: uvicorn on loopback, httpx with 32 in flight."""
    import socket

    import httpx
    import uvicorn

    from adapters.security.tokens import JwtAccessTokens
    from adapters.system import SystemClock
    from entrypoints.http.app import create_app

    settings = _settings(db)
    app = create_app(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    token = (
        JwtAccessTokens(
            key=settings.secret_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=900,
            clock=SystemClock(),
        )
        .issue(OWNER)
        .token
    )
    headers = {"Authorization": f"Bearer {token}"}
    n = N // 2
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        for _ in range(1000):  # uvicorn exposes only a flag; poll it, bounded to 10 s
            if server.started:
                break
            await anyio.sleep(0.01)
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, limits=limits
        ) as client:
            created = await client.post(
                "/v1/merchants", json={"name": "Bench", "default_currency": "USD"}
            )
            path = f"/v1/merchants/{created.json()['id']}/payments"
            latencies: list[float] = []

            async def worker(w: int) -> None:
                for i in range(w, n, CONCURRENCY):
                    start = time.perf_counter()
                    response = await client.post(
                        path,
                        json={"amount": 1_000 + i, "currency": "USD"},
                        headers={"Idempotency-Key": f"http-{i}"},
                    )
                    assert response.status_code == 201, response.text
                    latencies.append(time.perf_counter() - start)

            start = time.perf_counter()
            async with anyio.create_task_group() as workers:
                for w in range(CONCURRENCY):
                    workers.start_soon(worker, w)
            _report(f"HTTP, {CONCURRENCY} in flight", latencies, time.perf_counter() - start)
        server.should_exit = True


def main() -> None:
    print("== Payments (python -m benchmarks payments): create + capture, idempotency key")
    with tempfile.TemporaryDirectory() as tmp:
        anyio.run(_run, Path(tmp) / "bench.db")
    with tempfile.TemporaryDirectory() as tmp:
        anyio.run(_run_http, Path(tmp) / "bench.db")
