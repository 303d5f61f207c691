"""Banking operations from the CLI: key rotation (re-runnable), balance sync, doctor, serve."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from adapters.security.cipher import AesGcmKeyRing
from adapters.sql.banking import SqlBankConnections
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from core.domain.banking import Connection, ConnectionStatus
from ports.cipher import SealedSecret
from tests.conftest import TEST_SECRET
from tests.tls import make_pki

FINTECH = [sys.executable, "-m", "entrypoints.cli"]
OLD = ("k1", b"0123456789abcdef0123456789abcdef")
NEW = ("k2", b"fedcba9876543210fedcba9876543210")


def ring(*keys: tuple[str, bytes]) -> str:
    return ",".join(f"{kid}:{base64.b64encode(key).decode()}" for kid, key in keys)


def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FINTECH_", "TELLER_", "PLAID_"))
    }
    env.update(
        FINTECH_ENV="test",
        FINTECH_SQL_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        FINTECH_SECRET_KEY=TEST_SECRET,
        FINTECH_ENCRYPTION_KEYS=ring(OLD),
        FINTECH_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return subprocess.run(
        [*FINTECH, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


async def _seed(db: Path, tokens: dict[str, str], key: tuple[str, bytes]) -> None:
    executor = SqliteExecutor(str(db))
    await Migrator(executor).migrate()
    repo = SqlBankConnections(executor)
    cipher = AesGcmKeyRing([key])
    for n, (cid, token) in enumerate(tokens.items()):
        connection = Connection(
            id=cid,
            user_id="usr_1",
            provider="demo",
            external_id=f"ext_{n}",
            institution_name="Demo",
            status=ConnectionStatus.ACTIVE,
            created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
        )
        await repo.add(connection, cipher.seal(token, context=cid))
    await executor.close()


async def _stored(db: Path) -> dict[str, SealedSecret]:
    executor = SqliteExecutor(str(db))
    result = await executor.execute(
        "SELECT id, token_key_id, token_ciphertext FROM bank_connections"
    )
    await executor.close()
    return {str(i): SealedSecret(str(k), str(c)) for i, k, c in result.rows}


def test_rotation_reseals_every_token_under_the_active_key_and_can_be_rerun(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    tokens = {f"con_{i}": f"demo-access-{i:064d}" for i in range(5)}
    anyio.run(_seed, db, tokens, OLD)
    first = run(tmp_path, "rotate-encryption-key", "--json", FINTECH_ENCRYPTION_KEYS=ring(NEW, OLD))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["rotated"] == 5
    stored = anyio.run(_stored, db)
    only_new = AesGcmKeyRing([NEW])
    assert {s.key_id for s in stored.values()} == {"k2"}
    assert {cid: only_new.open(s, context=cid) for cid, s in stored.items()} == tokens
    again = run(tmp_path, "rotate-encryption-key", "--json", FINTECH_ENCRYPTION_KEYS=ring(NEW, OLD))
    assert json.loads(again.stdout) == {
        "active_key_id": "k2", "candidates": 0, "rotated": 0, "skipped": 0, "unreadable": []
    }  # fmt: skip


def test_rotation_resumes_after_an_interruption(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    anyio.run(_seed, db, {"con_a": "token-a", "con_b": "token-b"}, OLD)
    # An interrupted run left one row under the new key already.
    anyio.run(_seed, db, {"con_c": "token-c"}, NEW)
    result = run(
        tmp_path, "rotate-encryption-key", "--json", FINTECH_ENCRYPTION_KEYS=ring(NEW, OLD)
    )
    assert json.loads(result.stdout)["rotated"] == 2
    assert {s.key_id for s in anyio.run(_stored, db).values()} == {"k2"}


def test_rotation_reports_tokens_whose_key_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    anyio.run(_seed, db, {"con_lost": "token"}, ("gone", b"g" * 32))
    result = run(tmp_path, "rotate-encryption-key", FINTECH_ENCRYPTION_KEYS=ring(NEW, OLD))
    assert result.returncode == 1
    assert "con_lost" in result.stdout


def test_sync_balances_snapshots_every_connection_and_reports_failures(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    cipher_key = OLD
    good = "demo-access-" + "a" * 64
    anyio.run(_seed, db, {"con_good": good, "con_bad": "not-a-demo-token"}, cipher_key)
    result = run(tmp_path, "sync-balances", "--json")
    assert result.returncode == 1  # one connection failed
    report = json.loads(result.stdout)
    assert report["connections"] == 2
    assert report["snapshots_recorded"] == 3  # the good one's three accounts
    assert report["failures"] == [{"connection_id": "con_bad", "code": "invalid_public_token"}]


def test_doctor_prints_the_teller_certificate_expiry(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    result = run(
        tmp_path,
        "doctor",
        "--json",
        TELLER_CERTIFICATE_PATH=str(pki.client_cert),
        TELLER_PRIVATE_KEY_PATH=str(pki.client_key),
    )
    checks = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    expiry = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    assert checks["teller certificate"]["status"] == "ok"
    assert f"expires {expiry}" in checks["teller certificate"]["detail"]
    assert checks["banking provider"]["detail"] == "teller"


def test_a_mismatched_teller_key_stops_serve_with_one_clear_line(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    other = make_pki(tmp_path / "other")
    env = {
        "TELLER_CERTIFICATE_PATH": str(pki.client_cert),
        "TELLER_PRIVATE_KEY_PATH": str(other.client_key),
    }
    result = run(tmp_path, "serve", "--port", "1", **env)
    assert result.returncode == 2
    assert "TELLER_PRIVATE_KEY_PATH: does not match the certificate's public key" in result.stderr
    doctor = run(tmp_path, "doctor", "--json", **env)
    assert doctor.returncode == 1
    checks = {c["check"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["teller certificate"]["status"] == "fail"


@pytest.mark.parametrize("command", ["sync-balances", "rotate-encryption-key"])
def test_banking_commands_have_help(tmp_path: Path, command: str) -> None:
    result = run(tmp_path, command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
