"""Test helpers of the webhooks area: a real HTTP receiver on loopback, a fake DNS resolver,
and shortcuts to members and events through the app's own container."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
from dishka import AsyncContainer
from litestar import Litestar

from core.domain.identity import MerchantRole
from ports.directory import Memberships
from ports.events import Event, EventLog

OWNER = "usr_00000000000000000000000001"
STAFF = "usr_00000000000000000000000002"
STRANGER = "usr_00000000000000000000000003"
MERCHANT = "mer_00000000000000000000000001"


@attrs.frozen
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


class Receiver:
    """A merchant's webhook endpoint: answers ``fail_status`` to the first ``fail_first``."""

    def __init__(
        self, *, fail_first: int = 0, fail_status: int = 500, port: int = 0, delay: float = 0
    ) -> None:
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.in_flight += 1
                    receiver.max_in_flight = max(receiver.max_in_flight, receiver.in_flight)
                time.sleep(receiver.delay)
                with receiver._lock:
                    receiver.in_flight -= 1
                    failing = len(receiver.requests) < receiver.fail_first
                    status = receiver.fail_status if failing else 200
                    receiver.requests.append(
                        Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body, status
                        )
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/fintech"

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.answered == 200]

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def receiving(**kwargs: Any) -> Iterator[Receiver]:
    receiver = Receiver(**kwargs).start()
    try:
        yield receiver
    finally:
        receiver.stop()


class FakeResolver:
    """DNS answers from a table; names not in it do not resolve."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = dict(table or {})
        self.calls: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return list(self.table.get(host, []))


def container_of(app: Litestar) -> AsyncContainer:
    return app.state.dishka_container  # type: ignore[no-any-return]


async def add_members(app: Litestar, merchant_id: str = MERCHANT) -> None:
    members = await container_of(app).get(Memberships)
    await members.add(merchant_id, OWNER, MerchantRole.OWNER)
    await members.add(merchant_id, STAFF, MerchantRole.STAFF)


async def record(
    app: Litestar,
    event_id: str,
    event_type: str,
    created_at: datetime,
    merchant_id: str = MERCHANT,
    **data: Any,
) -> Event:
    event = Event(
        id=event_id,
        type=event_type,
        merchant_id=merchant_id,
        created_at=created_at,
        data={"id": event_id.removeprefix("evt_"), **data},
    )
    log = await container_of(app).get(EventLog)
    assert await log.record(event)
    return event
