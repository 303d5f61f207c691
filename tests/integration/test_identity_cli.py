"""``fintech create-admin`` and ``fintech audit`` as an operator runs them (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from ports.passwords import PasswordHasher
from tests.conftest import make_settings
from tests.fakes import override
from tests.identity_support import cheap_hasher, identity_app, login, register, signed_up
from tests.integration.test_cli import _env

FINTECH = [sys.executable, "-m", "entrypoints.cli"]
ADMIN_PASSWORD = "operator password 2026"


def fintech(
    tmp_path: Path, *args: str, stdin: str | None = None, columns: str = "100"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FINTECH, *args],
        env=_env(tmp_path, COLUMNS=columns),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


def _http_session(tmp_path: Path) -> dict[str, str]:
    """What a test session does over HTTP against the CLI's store; the ids involved."""
    settings = make_settings(f"sqlite:///{tmp_path / 'cli.db'}")

    # The real clock and ids, like the CLI process: the trail interleaves both by id.
    app = create_app(settings, override(PasswordHasher, cheap_hasher()))

    async def session() -> dict[str, str]:
        async with AsyncTestClient(app=app) as client:
            admin = await login(client, "ops@example.com", ADMIN_PASSWORD)
            assert admin.status_code == 200, admin.text
            bearer = {"Authorization": f"Bearer {admin.json()['access_token']}"}
            me = (await client.get("/v1/me", headers=bearer)).json()
            assert "admin" in me["roles"]
            ada = await signed_up(client, "ada@example.com")
            await login(client, "ada@example.com", "wrong password here")
            await client.post("/v1/auth/refresh", json={"refresh_token": ada.refresh_token})
            await client.post("/v1/auth/refresh", json={"refresh_token": ada.refresh_token})
            roles = await client.post(
                f"/v1/admin/users/{ada.id}/roles", json={"roles": ["user"]}, headers=bearer
            )
            assert roles.status_code == 200
            return {"admin": me["id"], "ada": ada.id}

    return anyio.run(session)


def test_create_admin_then_audit_shows_the_events_of_a_test_session(tmp_path: Path) -> None:
    created = fintech(
        tmp_path,
        "create-admin",
        "--email",
        "Ops@Example.com",
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created admin usr_" in created.stdout
    ids = _http_session(tmp_path)
    listed = fintech(tmp_path, "audit", "--json", "--limit", "200")
    assert listed.returncode == 0, listed.stderr
    events = json.loads(listed.stdout)
    seen = [(e["action"], e["outcome"], e["actor_id"]) for e in events]
    assert seen == [
        ("user.admin_created", "success", "system"),
        ("auth.login", "success", ids["admin"]),
        ("auth.register", "success", ids["ada"]),
        ("auth.login", "success", ids["ada"]),
        ("auth.login", "failure", ids["ada"]),
        ("auth.refresh_reuse", "denied", ids["ada"]),
        ("user.roles_changed", "success", ids["admin"]),
    ]
    assert all(e["correlation_id"] for e in events[1:])  # HTTP events carry the request id
    only_failures = json.loads(
        fintech(tmp_path, "audit", "--json", "--action", "auth.login", "--actor", ids["ada"]).stdout
    )
    assert [e["outcome"] for e in only_failures] == ["success", "failure"]
    table = fintech(tmp_path, "audit", columns="250")
    assert table.returncode == 0
    assert "auth.refresh_reuse" in table.stdout
    assert "user.roles_changed" in table.stdout


def test_create_admin_promotes_an_existing_user(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'cli.db'}")

    async def sign_up() -> None:
        async with AsyncTestClient(app=identity_app(settings)) as client:
            assert (await register(client, "ada@example.com")).status_code == 201

    anyio.run(sign_up)
    promoted = fintech(
        tmp_path, "create-admin", "--email", "ada@example.com", "--password-stdin", stdin="x\n"
    )
    assert promoted.returncode == 0, promoted.stderr
    assert "promoted to admin" in promoted.stdout
    events = json.loads(
        fintech(tmp_path, "audit", "--json", "--action", "user.promoted_admin").stdout
    )
    assert len(events) == 1


def test_create_admin_refuses_a_short_password_without_a_traceback(tmp_path: Path) -> None:
    result = fintech(
        tmp_path, "create-admin", "--email", "ops@example.com", "--password-stdin", stdin="short\n"
    )
    assert result.returncode == 1
    assert "password" in result.stderr
    assert "Traceback" not in result.stderr
    assert "short" not in result.stderr.replace("password must be at least", "")


def test_create_admin_demands_the_password_on_stdin(tmp_path: Path) -> None:
    result = fintech(tmp_path, "create-admin", "--email", "ops@example.com")
    assert result.returncode == 2
    assert "--password-stdin" in result.stderr


def test_audit_follow_prints_new_events_until_interrupted(tmp_path: Path) -> None:
    assert fintech(tmp_path, "migrate").returncode == 0
    proc = subprocess.Popen(
        [*FINTECH, "audit", "--follow", "--json", "--interval", "0.1"],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.5)  # let it start polling an empty trail
        created = fintech(
            tmp_path,
            "create-admin",
            "--email",
            "ops@example.com",
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert created.returncode == 0, created.stderr
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert json.loads(line)["action"] == "user.admin_created"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert os.path.exists(tmp_path / "cli.db")
