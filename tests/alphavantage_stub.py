"""A real HTTP server on loopback that answers like Alpha Vantage's ``GET /query``.

``GLOBAL_QUOTE`` for MSFT and ``SYMBOL_SEARCH`` serve the recorded payloads from
``../shared/contracts/alphavantage`` (MIT, read in place, never copied); the daily series is
a small payload written here. Symbols ``LIMIT`` and ``PREMIUM`` answer the HTTP-200 bodies
Alpha Vantage uses for rate limits (``Note``) and premium-only calls (``Information``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

NOTE = {
    "Note": "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per "
    "minute and 500 calls per day."
}
INFORMATION = {"Information": "This is a premium endpoint."}
ERROR = {"Error Message": "Invalid API call. Please retry or visit the documentation."}

DAILY = {
    "Meta Data": {"1. Information": "Daily Prices", "2. Symbol": "MSFT"},
    "Time Series (Daily)": {
        "2026-01-30": {
            "1. open": "410.1000",
            "2. high": "415.5500",
            "3. low": "409.0100",
            "4. close": "414.2300",
            "5. volume": "20154000",
        },
        "2026-01-29": {
            "1. open": "405.0000",
            "2. high": "411.0000",
            "3. low": "404.2000",
            "4. close": "410.0500",
            "5. volume": "18000000",
        },
        "2025-06-02": {
            "1. open": "300.0000",
            "2. high": "301.0000",
            "3. low": "299.0000",
            "4. close": "300.5000",
            "5. volume": "10000000",
        },
    },
}


class AlphaVantageStub:
    def __init__(self, contracts: Path) -> None:
        self.contracts = contracts
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        function = params.get("function")
        symbol = params.get("symbol", "")
        if symbol == "LIMIT" or params.get("keywords") == "LIMIT":
            return 200, json.dumps(NOTE).encode()
        if symbol == "PREMIUM":
            return 200, json.dumps(INFORMATION).encode()
        if symbol == "BROKEN":
            return 500, b"<html>oops</html>"
        if function == "GLOBAL_QUOTE":
            if symbol == "MSFT":
                return 200, (self.contracts / "global_quote.json").read_bytes()
            if symbol == "EMPTY":
                return 200, b'{"Global Quote": {}}'
            return 200, json.dumps(ERROR).encode()
        if function == "TIME_SERIES_DAILY":
            if symbol == "MSFT":
                return 200, json.dumps(DAILY).encode()
            return 200, json.dumps(ERROR).encode()
        if function == "SYMBOL_SEARCH":
            return 200, (self.contracts / "symbol_search.json").read_bytes()
        return 200, json.dumps(ERROR).encode()


@contextmanager
def serve_alphavantage(shared: Path) -> Iterator[tuple[str, AlphaVantageStub]]:
    """Run the stub on 127.0.0.1 (a free port); yields its base URL and the stub."""
    stub = AlphaVantageStub(shared / "contracts" / "alphavantage")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            with stub.lock:
                stub.requests.append(params)
            status, body = (404, b"{}") if parts.path != "/query" else stub.answer(params)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
