"""Webhook dispatch throughput: events fanned out and delivered to a loopback receiver.

``python -m benchmarks.webhooks``: 1,000 events to one endpoint (a threaded HTTP receiver
answering 200), on an SQLite file, by one dispatcher and by two racing dispatchers.
"""

from __future__ import annotations

import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio

from adapters.security.sealed_secrets import AesGcmSealer
from adapters.sql.event_feed import SqlEventFeed
from adapters.sql.events import SqlEventLog
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from adapters.sql.webhooks import SqlWebhookDeliveries, SqlWebhookEndpoints
from adapters.system import SystemClock
from adapters.webhooks.resolver import SystemResolver
from adapters.webhooks.transport import GuardedWebhookTransport
from core.domain.webhooks import EndpointStatus, RetryPolicy, WebhookEndpoint
from core.services.webhook_delivery import WebhookDispatcher
from ports.events import Event

N = 1000
KEYS = [("bench", b"b" * 32)]


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


async def _run(dispatchers: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        executors = [SqliteExecutor(path) for _ in range(dispatchers)]
        transport = GuardedWebhookTransport(
            resolver=SystemResolver(), timeout=5, allow_insecure=True
        )
        clock = SystemClock()
        await Migrator(executors[0]).migrate()
        hook = WebhookEndpoint("whe_b", "mer_b", url, ("*",), EndpointStatus.ENABLED, clock.now())
        await SqlWebhookEndpoints(executors[0]).add(hook, AesGcmSealer(KEYS).seal("s", "whe_b"))
        log = SqlEventLog(executors[0])
        for n in range(N):
            await log.record(Event(f"evt_{n:05d}", "payment.captured", "mer_b", clock.now(), {}))
        workers = [
            WebhookDispatcher(
                feed=SqlEventFeed(ex),
                endpoints=SqlWebhookEndpoints(ex),
                deliveries=SqlWebhookDeliveries(ex),
                transport=transport,
                sealer=AesGcmSealer(KEYS),
                clock=clock,
                policy=RetryPolicy(),
                owner=f"bench-{i}",
                lease_seconds=60,
                fanout_window_seconds=300,
                batch_size=100,
                max_events_per_endpoint=N * 2,
            )
            for i, ex in enumerate(executors)
        ]
        start = time.perf_counter()
        scheduled = await workers[0].fan_out()
        fanned = time.perf_counter() - start
        delivered = 0

        async def drain(worker: WebhookDispatcher) -> None:
            nonlocal delivered
            while (report := await worker.deliver_due(max_batches=100)).attempted:
                delivered += report.delivered

        async with anyio.create_task_group() as group:
            for worker in workers:
                group.start_soon(drain, worker)
        total = time.perf_counter() - start
        print(
            f"  {dispatchers} dispatcher(s): fan-out {scheduled} in {fanned * 1e3:.0f} ms; "
            f"{delivered} delivered in {total:.2f} s = {delivered / total:.0f} deliveries/s"
        )
        await transport.aclose()
        for ex in executors:
            await ex.close()
    server.shutdown()
    server.server_close()


def main() -> None:
    print("== Webhook dispatch (python -m benchmarks.webhooks)")
    anyio.run(_run, 1)
    anyio.run(_run, 2)


if __name__ == "__main__":
    main()
