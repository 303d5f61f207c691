"""Cost of the auth flows with the production argon2id parameters.

argon2id hash and verify alone, then login, refresh and a rate-limit hit through the whole
in-process HTTP stack on a SQLite file, sequentially.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
from litestar.testing import AsyncTestClient

from adapters.security.passwords import Argon2PasswordHasher
from core.services.rate_limiting import RateLimiter
from entrypoints.http.app import create_app
from entrypoints.observability.logging import configure_logging
from entrypoints.settings import load_settings

PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark fixture


async def _measure(name: str, op: Callable[[int], Awaitable[object]], n: int) -> None:
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        await op(i)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1e3
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1e3
    print(f"  {name:<28} {n / total:>8.1f} op/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")


async def _main() -> None:
    hasher = Argon2PasswordHasher()
    print(f"argon2id parameters (t, m KiB, p): {hasher.parameters}")
    hashed = await hasher.hash(PASSWORD)
    await _measure("argon2id hash", lambda _: hasher.hash(PASSWORD), 20)
    await _measure("argon2id verify", lambda _: hasher.verify(hashed, PASSWORD), 20)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            {
                "FINTECH_ENV": "test",
                "FINTECH_SQL_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "FINTECH_SECRET_KEY": "benchmark-secret-key-of-at-least-32-bytes",
                "FINTECH_LOG_LEVEL": "WARNING",
                "FINTECH_RATE_LOGIN_ACCOUNT": "100000/60",
                "FINTECH_RATE_LOGIN_ADDRESS": "100000/60",
                "FINTECH_RATE_REGISTER_ADDRESS": "100000/60",
            },
            env_file=None,
        )
        app = create_app(settings)
        async with AsyncTestClient(app=app) as client:
            body = {"email": "bench@example.com", "password": PASSWORD}
            await client.post("/v1/auth/register", json=body)
            await _measure(
                "POST /v1/auth/login", lambda _: client.post("/v1/auth/login", json=body), 20
            )
            token = (await client.post("/v1/auth/login", json=body)).json()["refresh_token"]
            state = {"token": token}

            async def refresh(_: int) -> None:
                r = await client.post("/v1/auth/refresh", json={"refresh_token": state["token"]})
                state["token"] = r.json()["refresh_token"]

            await _measure("POST /v1/auth/refresh", refresh, 200)
            limiter = await app.state.dishka_container.get(RateLimiter)
            await _measure(
                "RateLimiter.hit (store)", lambda i: limiter.hit(f"bench:{i % 50}", 10**6, 60), 500
            )


def main() -> None:
    print("== identity (python -m benchmarks identity)")
    configure_logging("WARNING")
    anyio.run(_main)
