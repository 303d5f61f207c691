"""The benchmark harness measures what it claims: wrk's figures are read right, each POST gets
its own idempotency key, and the peer is handed the same rows as ours."""

from __future__ import annotations

import http.server
import shutil
import socketserver
import threading
from collections.abc import Iterator

import pytest
from benchmarks.loadgen import PythonClient, Wrk, _parse_wrk
from benchmarks.peer import dataset

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/health/live
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.38ms   10.0ms  200.00ms   95.00%
  Latency Distribution
     50%  850.00us
     75%    5.10ms
     90%    9.00ms
     99%    1.20s
  28810 requests in 10.00s, 4.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   2881.00
Transfer/sec:    430.00KB
"""


def test_wrk_output_is_read_with_its_units_and_every_kind_of_error() -> None:
    load = _parse_wrk(WRK_OUTPUT)
    assert load.rps == 2881.0
    assert load.p50_ms == pytest.approx(0.85)
    assert load.p99_ms == pytest.approx(1200.0)
    assert load.requests == 28810
    assert load.errors == 7


def test_the_stand_in_data_set_is_deterministic_and_shaped_like_ours() -> None:
    first, second = dataset.generate(5000), dataset.generate(5000)
    assert first == second
    rows = first["transactions"]
    assert len(rows) == 5000
    assert len({r["merchant_name"] for r in rows}) >= 10
    assert len({r["category"] for r in rows}) >= 5
    assert any(r["pending"] for r in rows)
    assert {r["account_id"] for r in rows} == {a["id"] for a in first["accounts"]}


def test_the_peer_gets_the_same_rows_with_provider_style_float_amounts() -> None:
    ours = dataset.generate(300)
    theirs = dataset.for_peer(ours)
    assert [t["id"] for t in theirs["transactions"]] == [t["id"] for t in ours["transactions"]]
    assert [t["amount"] for t in theirs["transactions"]] == [
        float(t["amount"]) for t in ours["transactions"]
    ]


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    keys: list[str | None] = []
    bodies: set[bytes] = set()

    def do_POST(self) -> None:
        self.bodies.add(self.rfile.read(int(self.headers.get("content-length", 0))))
        self.keys.append(self.headers.get("Idempotency-Key"))
        self.send_response(201)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        return None


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.keys, _Recorder.bodies = [], set()
    server = _Server(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/merchants/mer_1/payments"
    server.shutdown()
    server.server_close()


BODY = b'{"amount":1999,"currency":"USD","capture":true}'


@pytest.mark.parametrize("generator", ["wrk", "python"])
def test_every_generated_payment_post_carries_its_own_idempotency_key(
    recorder: str, generator: str
) -> None:
    if generator == "wrk":
        path = shutil.which("wrk")
        if path is None:
            pytest.skip("wrk is not installed (the harness falls back to the Python client)")
        gen: Wrk | PythonClient = Wrk(path)
    else:
        gen = PythonClient()
    load = gen.post_unique(recorder, body=BODY, connections=4, duration=1, headers={}, run_id="t1")
    keys = _Recorder.keys
    assert load.errors == 0
    assert len(keys) >= load.requests > 0
    assert None not in keys
    assert len(set(keys)) == len(keys)
    assert _Recorder.bodies == {BODY}
