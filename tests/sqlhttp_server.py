"""A SQL-over-HTTP server speaking the Elixir RDBMS contract, with SQLite behind it.

Real HTTP on loopback (stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive), implementing
``/work/shared/contracts/elixir-sql-http.md``: ``POST /execute`` with ``{"sql", "params"?}``,
``GET /health``, answers ``{"success", "data", "error"}`` with the contract's data shapes and
reason strings. Several independent databases live behind one server under
``/db/<name>/execute`` (the adapter's base URL may carry a path prefix), so a session-wide
server still gives every test a fresh database.

Knobs for the fault suite: ``refuse_params`` (an ``{"sql"}``-only server, for inline mode),
``token`` (require a bearer token), ``faults`` (a queue consumed one per matching request),
and counters (``requests``, ``executed``, ``seen_headers``) to prove what really ran.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import attrs

__all__ = ["Fault", "SqlHttpServer", "shared_server", "stop_shared_server"]

FaultKind = Literal["status", "malformed", "slow", "drop", "body"]


@attrs.define
class Fault:
    """One injected misbehaviour, applied to the next request whose SQL contains ``match``.

    ``after_execute`` runs the statement first (the database did the work, then the answer
    went wrong); otherwise the statement never runs.
    """

    kind: FaultKind
    status: int = 503
    delay: float = 0.0
    after_execute: bool = False
    match: str = ""
    body: bytes = b""  # kind "body": answer 200 with exactly these bytes


class _Database:
    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _reason(exc: sqlite3.Error) -> str:
    """SQLite's message prefixed with the contract's reason token."""
    message = str(exc)
    lowered = message.lower()
    if isinstance(exc, sqlite3.IntegrityError):
        if "unique" in lowered or "primary key" in lowered:
            return f"duplicate_unique: {message}"
        if "not null" in lowered:
            return f"not_null: {message}"
        return f"constraint: {message}"
    if "no such table" in lowered:
        return message
    if "no such column" in lowered or "has no column" in lowered:
        return f"missing_column: {message}"
    if "syntax error" in lowered or "incomplete input" in lowered:
        return f"syntax: {message}"
    if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
        return f"invalid_type: {message}"
    return message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (timeouts in the fault suite)

    def _answer(self, success: bool, data: Any = None, error: str | None = None) -> None:
        body = json.dumps({"success": success, "data": data, "error": error}).encode()
        self._send(200, body)

    def _drop(self) -> None:
        self.close_connection = True
        with suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _route(self) -> tuple[str, str] | None:
        path = self.path.split("?", 1)[0]
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == "db" and len(parts) == 3:
            return parts[1], parts[2]
        if len(parts) == 1:
            return "main", parts[0]
        return None

    def do_GET(self) -> None:
        route = self._route()
        owner = self.server.owner
        if route is None or route[1] != "health":
            self._send(404, b'{"error": "not found"}')
            return
        owner.health_requests += 1
        self._send(200 if owner.healthy else 503, b'{"status": "ok"}')

    def do_POST(self) -> None:
        started = time.perf_counter()
        try:
            self._post()
        finally:
            with self.server.owner.lock:
                self.server.owner.busy_seconds += time.perf_counter() - started

    def _post(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        route = self._route()
        if route is None or route[1] != "execute":
            self._send(404, b'{"error": "not found"}')
            return
        with owner.lock:
            owner.requests += 1
            owner.seen_headers.append({k.lower(): v for k, v in self.headers.items()})
        if owner.token is not None and self.headers.get("Authorization") != f"Bearer {owner.token}":
            self._send(401, b'{"error": "unauthorized"}')
            return
        try:
            request = json.loads(raw)
            sql = request["sql"]
            params = request.get("params", [])
            if not isinstance(sql, str) or not isinstance(params, list):
                raise TypeError("sql must be a string and params a list")
        except (ValueError, KeyError, TypeError) as exc:
            self._send(400, json.dumps({"success": False, "error": str(exc)}).encode())
            return
        fault = owner.take_fault(sql)
        if fault is not None and not fault.after_execute:
            if fault.kind == "slow":
                time.sleep(fault.delay)
            else:
                self._misbehave(fault)
                return
        if "params" in request and owner.refuse_params:
            outcome: tuple[bool, Any, str | None] = (
                False,
                None,
                'unsupported_statement: this server accepts only {"sql"}',
            )
        else:
            outcome = owner.run(route[0], sql, params)
        if fault is not None and fault.after_execute:
            if fault.kind == "slow":
                time.sleep(fault.delay)
            else:
                self._misbehave(fault)
                return
        self._answer(*outcome)

    def _misbehave(self, fault: Fault) -> None:
        if fault.kind == "status":
            self._send(fault.status, b'{"error": "injected"}')
        elif fault.kind == "malformed":
            self._send(200, b'{"success": true, "data": [')
        elif fault.kind == "drop":
            self._drop()
        elif fault.kind == "body":
            self._send(200, fault.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    owner: SqlHttpServer


class SqlHttpServer:
    """The test server; ``start()`` binds a free loopback port and serves on a thread."""

    def __init__(
        self,
        *,
        refuse_params: bool = False,
        token: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.refuse_params = refuse_params
        self.tls = tls
        self.token = token
        self.healthy = True
        self.faults: deque[Fault] = deque()
        self.requests = 0
        self.busy_seconds = 0.0  # time spent in POST handlers: the server's own cost
        self.health_requests = 0
        self.executed: list[str] = []
        self.seen_headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self._databases: dict[str, _Database] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> SqlHttpServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for db in self._databases.values():
            db.close()
        self._databases.clear()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def base_url(self, database: str = "main") -> str:
        prefix = "" if database == "main" else f"/db/{database}"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}{prefix}"

    def url(self, database: str = "main", *, inline: bool = False) -> str:
        """The ``FINTECH_SQL_URL`` for one database behind this server."""
        url = "elixir+" + self.base_url(database)
        return url + "?params=inline" if inline else url

    # knobs ---------------------------------------------------------------------------------
    def inject(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def take_fault(self, sql: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.match in sql:
                    self.faults.remove(fault)
                    return fault
        return None

    def executions(self, fragment: str) -> int:
        """How many times a statement containing ``fragment`` actually ran."""
        with self.lock:
            return sum(fragment in sql for sql in self.executed)

    def drop_database(self, name: str) -> None:
        db = self._databases.pop(name, None)
        if db is not None:
            db.close()

    # the database --------------------------------------------------------------------------
    def _database(self, name: str) -> _Database:
        with self.lock:
            db = self._databases.get(name)
            if db is None:
                db = self._databases[name] = _Database()
            return db

    def run(self, database: str, sql: str, params: list[Any]) -> tuple[bool, Any, str | None]:
        db = self._database(database)
        with db.lock:
            with self.lock:
                self.executed.append(sql)
            try:
                cursor = db.conn.execute(sql, params)
                rows = cursor.fetchall()
            except (sqlite3.Error, OverflowError) as exc:
                if isinstance(exc, OverflowError):
                    return False, None, f"invalid_type: {exc}"
                return False, None, _reason(exc)
            if cursor.description is not None:
                columns = [d[0] for d in cursor.description]
                return True, [dict(zip(columns, row, strict=True)) for row in rows], None
            kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
            if kind in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
                return True, max(cursor.rowcount, 0), None
            return True, None, None


_shared: dict[bool, SqlHttpServer] = {}
_shared_lock = threading.Lock()


def shared_server(*, refuse_params: bool = False) -> SqlHttpServer:
    """One server (per ``refuse_params`` flavour) for the whole test session, started lazily."""
    with _shared_lock:
        server = _shared.get(refuse_params)
        if server is None:
            server = _shared[refuse_params] = SqlHttpServer(refuse_params=refuse_params).start()
        return server


def stop_shared_server() -> None:
    with _shared_lock:
        for server in _shared.values():
            server.stop()
        _shared.clear()


@contextmanager
def running(**options: Any) -> Iterator[SqlHttpServer]:
    server = SqlHttpServer(**options).start()
    try:
        yield server
    finally:
        server.stop()
