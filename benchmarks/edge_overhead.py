"""Per-request cost of the HTTP edge, in process (``just bench edge``): no network, no load
generator, so the figure is the framework's own CPU time per request and is steady even on a
busy machine.

CPU time of the process (not wall time), so other work on the machine does not count. The
shapes through the real app (``create_app``: request-id wrapper, dishka request scope,
Litestar routing, msgspec encoding, the error mapper): the liveness probe, an authenticated
request (a handler taking ``FromDishka[Principal]``), with the same token every time (the
verified-token cache hits, as for a client reusing its token) and with a new token each time, an
unknown path (the 404 problem document), and ``POST`` of a captured payment with a new
idempotency key each time (the whole write path on a SQLite file). The authenticated route is
registered here for the measurement only. ``--profile FILE`` writes a pyinstrument report of
the payment shape.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dishka.integrations.litestar import DishkaRouter, FromDishka
from litestar import Controller, Litestar, get

from adapters.security.tokens import JwtAccessTokens
from adapters.system import SystemClock
from core.domain.identity import Principal
from entrypoints.http.app import create_app
from entrypoints.observability.logging import configure_logging
from entrypoints.settings import Settings, load_settings

N = 4000
MERCHANT = b'{"name":"Bench","default_currency":"USD"}'
PAYMENT = b'{"amount":1999,"currency":"USD","capture":true}'


class _WhoAmI(Controller):
    path = "/bench"

    @get("/whoami")
    async def whoami(self, principal: FromDishka[Principal]) -> dict[str, str]:
        return {"user_id": principal.user_id}


def _settings(tmp: str) -> Settings:
    env = {
        "FINTECH_ENV": "development",
        "FINTECH_SQL_URL": f"sqlite:///{tmp}/edge.db",
        "FINTECH_SECRET_KEY": secrets.token_hex(32),
        "FINTECH_ENCRYPTION_KEYS": "k:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "FINTECH_LOG_LEVEL": "WARNING",
        # The payment shape writes far more than a person: no 429s in the measurement.
        "FINTECH_RATE_MONEY_WRITES": "100000000/60",
    }
    return load_settings(env, env_file=None)


def _token(settings: Settings) -> str:
    tokens = JwtAccessTokens(
        key=settings.secret_key,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=3600,
        clock=SystemClock(),
    )
    return tokens.issue(Principal(user_id="usr_bench", roles=frozenset({"user"}))).token


async def _request(
    app: Litestar,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes | None = None,
    answer: bytearray | None = None,
) -> int:
    """One request through the ASGI app; its status (and its body into ``answer``)."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body or b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif answer is not None:
            answer.extend(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET" if body is None else "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return status


async def _per_request_us(
    app: Litestar,
    path: str,
    headers: list[tuple[bytes, bytes]] | list[list[tuple[bytes, bytes]]],
    body: bytes | None = None,
) -> float:
    """Median CPU µs per request over 3 batches; a list of header lists is used one per request."""
    rotating = bool(headers) and isinstance(headers[0], list)
    batches = []
    for batch in range(3):
        started = time.process_time()
        for i in range(N):
            current = headers[batch * N + i] if rotating else headers
            await _request(app, path, current, body)  # type: ignore[arg-type]
        batches.append((time.process_time() - started) / N * 1e6)
    return statistics.median(batches)


async def _merchant(app: Litestar, headers: list[tuple[bytes, bytes]]) -> str:
    """Create the merchant the payment shape posts to; its id, read from the response."""
    answer = bytearray()
    status = await _request(app, "/v1/merchants", headers, MERCHANT, answer)
    assert status == 201, answer
    return str(json.loads(answer)["id"])


async def _run(profile: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(tmp)
        configure_logging(settings.log_level, settings.log_format)
        app = create_app(settings)
        app.register(DishkaRouter("", route_handlers=[_WhoAmI]))
        auth = [(b"authorization", f"Bearer {_token(settings)}".encode())]
        fresh = [[(b"authorization", f"Bearer {_token(settings)}".encode())] for _ in range(3 * N)]
        json_auth = [*auth, (b"content-type", b"application/json")]
        keys = iter(range(10**9))

        def keyed(n: int) -> list[list[tuple[bytes, bytes]]]:
            return [
                [*json_auth, (b"idempotency-key", f"k-{next(keys)}".encode())] for _ in range(n)
            ]

        async with app.lifespan():
            pay = f"/v1/merchants/{await _merchant(app, json_auth)}/payments"
            shapes: dict[str, tuple[str, Any, bytes | None, int]] = {
                "GET /health/live": ("/health/live", [], None, 200),
                "GET authenticated (token seen before)": ("/bench/whoami", auth, None, 200),
                "GET authenticated (a new token each)": ("/bench/whoami", fresh, None, 200),
                "GET unknown path (404)": ("/nowhere", [], None, 404),
                "POST payment + capture, new key each": (pay, keyed(3 * N), PAYMENT, 201),
            }
            for label, (path, headers, body, expected) in shapes.items():
                rotating = bool(headers) and isinstance(headers[0], list)
                warm = keyed(3 * N) if body else headers if not rotating else None
                if warm is not None:
                    await _per_request_us(app, path, warm, body)  # warm-up
                probe = warm[0] if body and warm else headers[0] if rotating else headers
                status = await _request(app, path, probe, body)
                assert status == expected, f"{label}: {status}"
                cost = await _per_request_us(app, path, headers, body)
                print(
                    f"  {label:<40} {cost:8.1f} µs/request  ({1e6 / cost:,.0f} req/s on one core)"
                )
            if profile is not None:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0002)
                profiler.start()
                for headers in keyed(N):
                    await _request(app, pay, headers, PAYMENT)
                profiler.stop()
                report = profiler.output_text(unicode=True) + profiler.output_text(
                    unicode=True, flat=True
                )
                await asyncio.to_thread(profile.write_text, report)
                print(f"  profile of the payment shape: {profile}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.edge_overhead")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv or [])
    print("== HTTP edge, in process (python -m benchmarks edge)")
    asyncio.run(_run(args.profile))


if __name__ == "__main__":
    main(sys.argv[1:])
