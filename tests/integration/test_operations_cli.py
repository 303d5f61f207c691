"""Operator commands against real store files and a real server process."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from adapters.system import SystemClock
from core.domain.identity import Principal
from entrypoints.cli.main import cli
from entrypoints.observability.logging import configure_logging
from entrypoints.observability.tracing import otlp_exporter_available
from tests.auth import tokens_for
from tests.conftest import make_settings
from tests.integration.test_cli import FINTECH, _env, run
from tests.serving import free_port


def test_maintenance_commands_have_help() -> None:
    runner = CliRunner()
    for args in (
        ["maintenance", "--help"],
        *(["maintenance", c, "--help"] for c in ("on", "off", "status")),
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, args
        assert "Usage:" in result.output


def invoke(tmp_path: Path, *args: str, **env: str) -> Result:
    """The CLI in-process (same code path as the installed command, minus process start-up)."""
    try:
        return CliRunner().invoke(cli, list(args), env={**_env(tmp_path), **env})
    finally:
        # The command configured logging onto the runner's streams, which close with it.
        configure_logging("WARNING", "console")


def test_maintenance_on_status_off_round_trip_through_the_store(tmp_path: Path) -> None:
    assert invoke(tmp_path, "migrate").exit_code == 0
    on = invoke(tmp_path, "maintenance", "on", "--reason", "db upgrade", "--json")
    assert on.exit_code == 0, on.output
    assert json.loads(on.stdout) | {"updated_at": None} == {
        "enabled": True,
        "reason": "db upgrade",
        "updated_at": None,
    }
    status = invoke(tmp_path, "maintenance", "status")
    assert status.exit_code == 0
    assert "on" in status.stdout
    assert "db upgrade" in status.stdout
    doctor = invoke(tmp_path, "doctor", "--json")
    checks = {c["check"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["maintenance"]["status"] == "warn"
    assert "db upgrade" in checks["maintenance"]["detail"]
    assert doctor.exit_code == 0  # a warning, not a failure
    off = invoke(tmp_path, "maintenance", "off", "--json")
    assert json.loads(off.stdout)["enabled"] is False
    again = json.loads(invoke(tmp_path, "doctor", "--json").stdout)
    assert {c["check"]: c["status"] for c in again["checks"]}["maintenance"] == "ok"


def test_maintenance_exits_3_when_the_store_is_unreachable(tmp_path: Path) -> None:
    result = invoke(tmp_path, "maintenance", "status", FINTECH_SQL_URL=f"sqlite:///{tmp_path}")
    assert result.exit_code == 3
    assert "cannot reach the sqlite store" in result.stderr


def test_doctor_reports_the_trace_exporter(tmp_path: Path) -> None:
    invoke(tmp_path, "migrate")
    default = json.loads(invoke(tmp_path, "doctor", "--json").stdout)
    assert {c["check"]: c["status"] for c in default["checks"]}["traces"] == "ok"
    if otlp_exporter_available():
        return  # the failing row below needs the package to be absent, as it is in this build
    otlp = invoke(tmp_path, "doctor", "--json", OTEL_TRACES_EXPORTER="otlp")
    row = {c["check"]: c for c in json.loads(otlp.stdout)["checks"]}["traces"]
    assert row["status"] == "fail"
    assert "opentelemetry-exporter-otlp" in row["detail"]
    assert otlp.exit_code == 1


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    log_file = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [*FINTECH, "serve", "--port", str(port)],
        env=_env(tmp_path, FINTECH_LOG_FORMAT="json", FINTECH_LOG_LEVEL="INFO"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the server did not become ready")
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log_file.close()


def test_the_cli_switch_reaches_a_running_server(
    tmp_path: Path, server: tuple[subprocess.Popen[str], int]
) -> None:
    _, port = server
    url = f"http://127.0.0.1:{port}/v1/anything"
    assert httpx.post(url, json={}).status_code == 404
    assert run(tmp_path, "maintenance", "on", "--reason", "drill").returncode == 0
    deadline = time.monotonic() + 5
    status = None
    while time.monotonic() < deadline:
        status = httpx.post(url, json={}).status_code
        if status == 503:
            break
        time.sleep(0.2)
    assert status == 503
    response = httpx.post(url, json={})
    assert response.json()["code"] == "maintenance"
    assert response.headers["retry-after"] == "60"
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert 'http_server_requests_total{method="POST",route="<unmatched>"' in metrics


def test_sigterm_lets_an_in_flight_request_finish(
    tmp_path: Path, server: tuple[subprocess.Popen[str], int]
) -> None:
    proc, port = server
    settings = make_settings(f"sqlite:///{tmp_path / 'cli.db'}")
    token = tokens_for(settings, SystemClock()).issue(
        Principal(user_id="usr_admin", roles=frozenset({"admin"}))
    )
    body = b'{"enabled": false, "reason": "drain test"}'
    head = (
        f"POST /v1/admin/maintenance HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head + body[:10])  # the request is now in flight, its body half-sent
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert proc.poll() is None, "the server waits for the in-flight request"
        conn.sendall(body[10:])
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"reason":"drain test"' in answer
    assert proc.wait(timeout=30) == 0
    # Every line the process wrote (uvicorn's included) is JSON; the drained request was logged.
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    access = [e for e in lines if e["event"] == "http_request"]
    drained = next(e for e in access if e["route"] == "/v1/admin/maintenance")
    assert drained["status"] == 200
    assert drained["principal_id"] == "usr_admin"
    assert token.token not in (tmp_path / "server.log").read_text()
    assert any(e["event"].startswith("Finished server process") for e in lines)
