"""Per-request cost of the HTTP edge, in process (``just bench edge``): no network, no load
generator, so the figure is the framework's own CPU time per request and is steady even on a
busy machine.

CPU time of the process (not wall time), so other work on the machine does not count. Three
shapes through the real app (``create_app``: request-id wrapper, dishka request scope,
Litestar routing, msgspec encoding, the error mapper): the liveness probe, an authenticated
request (a handler taking ``FromDishka[Principal]``), with the same token every time (the
verified-token cache hits, as for a client reusing its token) and with a new token each time,
and
an unknown path (the 404 problem document). The authenticated route is registered here for
the measurement only. ``--profile FILE`` writes a pyinstrument report of the probe and the
authenticated shape.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
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


async def _request(app: Litestar, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
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
    app: Litestar, path: str, headers: list[tuple[bytes, bytes]] | list[list[tuple[bytes, bytes]]]
) -> float:
    """Median CPU µs per request over 3 batches; a list of header lists is used one per request."""
    rotating = bool(headers) and isinstance(headers[0], list)
    batches = []
    for batch in range(3):
        started = time.process_time()
        for i in range(N):
            current = headers[batch * N + i] if rotating else headers
            await _request(app, path, current)  # type: ignore[arg-type]
        batches.append((time.process_time() - started) / N * 1e6)
    return statistics.median(batches)


async def _run(profile: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(tmp)
        configure_logging(settings.log_level, settings.log_format)
        app = create_app(settings)
        app.register(DishkaRouter("", route_handlers=[_WhoAmI]))
        auth = [(b"authorization", f"Bearer {_token(settings)}".encode())]
        fresh = [[(b"authorization", f"Bearer {_token(settings)}".encode())] for _ in range(3 * N)]
        shapes: dict[str, tuple[str, Any]] = {
            "GET /health/live": ("/health/live", []),
            "GET authenticated (token seen before)": ("/bench/whoami", auth),
            "GET authenticated (a new token each)": ("/bench/whoami", fresh),
            "GET unknown path (404)": ("/nowhere", []),
        }
        async with app.lifespan():
            for label, (path, headers) in shapes.items():
                expected = 404 if "404" in label else 200
                first = headers[0] if headers and isinstance(headers[0], list) else headers
                status = await _request(app, path, first)
                assert status == expected, f"{label}: {status}"
                if not (headers and isinstance(headers[0], list)):
                    await _per_request_us(app, path, headers)  # warm-up
                cost = await _per_request_us(app, path, headers)
                print(
                    f"  {label:<40} {cost:8.1f} µs/request  ({1e6 / cost:,.0f} req/s on one core)"
                )
            if profile is not None:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0002)
                profiler.start()
                for _ in range(N):
                    await _request(app, "/bench/whoami", auth)
                    await _request(app, "/health/live", [])
                profiler.stop()
                await asyncio.to_thread(
                    profile.write_text, profiler.output_text(unicode=True, show_all=True)
                )
                print(f"  profile of the probe and the authenticated shape: {profile}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.edge_overhead")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv or [])
    print("== HTTP edge, in process (python -m benchmarks edge)")
    asyncio.run(_run(args.profile))


if __name__ == "__main__":
    main(sys.argv[1:])
