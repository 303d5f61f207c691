"""The admin CLI as an operator runs it: real processes, real store files."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from entrypoints.cli.main import cli
from tests.conftest import TEST_KEYS, TEST_SECRET
from tests.serving import FINTECH, free_port


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FINTECH_", "TELLER_", "PLAID_"))
    }
    env.update(
        FINTECH_ENV="test",
        FINTECH_SQL_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        FINTECH_SECRET_KEY=TEST_SECRET,
        FINTECH_ENCRYPTION_KEYS=TEST_KEYS,
        FINTECH_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FINTECH, *args],
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


def test_every_command_has_help() -> None:
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    for name in cli.commands:  # type: ignore[attr-defined]
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run(tmp_path, "version")
    assert result.returncode == 0
    assert result.stdout.strip() == "0.1.0"


def test_migrate_applies_then_reports_current(tmp_path: Path) -> None:
    status = run(tmp_path, "migrate", "--status")
    assert status.returncode == 1
    assert "pending 0001_foundation" in status.stdout
    first = run(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert "applied 0001_foundation" in first.stdout
    second = run(tmp_path, "migrate")
    assert "0 migration(s) applied" in second.stdout
    assert run(tmp_path, "migrate", "--status").returncode == 0


def test_doctor_fails_while_migrations_are_pending_then_passes(tmp_path: Path) -> None:
    before = run(tmp_path, "doctor", "--json")
    assert before.returncode == 1
    assert '"ok": false' in before.stdout
    run(tmp_path, "migrate")
    after = run(tmp_path, "doctor")
    assert after.returncode == 0, after.stdout
    assert "round trip" in after.stdout


def test_a_bad_sql_url_stops_every_command_naming_the_variable(tmp_path: Path) -> None:
    for command in (["serve"], ["migrate"], ["doctor"]):
        result = run(tmp_path, *command, FINTECH_SQL_URL="bogus://x")
        assert result.returncode == 2
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1
        assert "FINTECH_SQL_URL" in lines[0]
        assert "Traceback" not in result.stderr


def test_serve_answers_ready_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*FINTECH, "serve", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
