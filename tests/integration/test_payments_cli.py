"""``settle``, ``recover``, ``verify-ledger`` and ``purge-idempotency-keys`` as operators run
them (real processes on a real store file), and recovery at service start-up."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from adapters.sql.migrator import Migrator
from core.domain.identity import Principal
from core.services.merchants import MerchantService
from core.services.payments import PaymentService
from entrypoints.cli.main import cli
from entrypoints.container import create_container
from entrypoints.http.app import create_app
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider
from tests.integration.test_cli import run

OWNER = Principal(user_id="usr_00000000000000000000000001")


def seed(db: Path, payments: int) -> str:
    """A merchant with captured payments, written through the services."""

    async def work() -> str:
        container = create_container(make_settings(f"sqlite:///{db}"))
        try:
            await (await container.get(Migrator)).migrate()
            merchants = await container.get(MerchantService)
            service = await container.get(PaymentService)
            merchant = await merchants.create(OWNER, name="Shop", default_currency="USD")
            for i in range(payments):
                await service.create(OWNER, merchant.id, amount=1_000 * (i + 1), currency="USD")
            return merchant.id
        finally:
            await container.close()

    return anyio.run(work)


def test_settle_all_pays_every_merchant_and_verify_ledger_agrees(tmp_path: Path) -> None:
    merchant = seed(tmp_path / "cli.db", 3)
    settled = run(tmp_path, "settle", "--all", "--json")
    assert settled.returncode == 0, settled.stderr
    [row] = json.loads(settled.stdout)
    assert row["merchant_id"] == merchant
    assert row["status"] == "paid"
    assert row["amount"] == 6_000 - (59 + 88 + 117)
    table = run(tmp_path, "settle", "--merchant", merchant)
    assert table.returncode == 0
    assert "0 paid" in table.stdout
    verified = run(tmp_path, "verify-ledger")
    assert verified.returncode == 0, verified.stdout
    assert "every invariant holds" in verified.stdout
    assert CliRunner().invoke(cli, ["settle"]).exit_code == 2  # neither --merchant nor --all


def test_verify_ledger_exits_non_zero_with_a_readable_report_when_an_invariant_breaks(
    tmp_path: Path,
) -> None:
    merchant = seed(tmp_path / "cli.db", 1)
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        # Money appears in a merchant's account with no payment behind it.
        conn.execute(
            "INSERT INTO ledger_transfers (id, debit_account, credit_account, amount, currency,"
            " kind, merchant_id, posted_at) VALUES ('trf_forged', 'external', ?, 500, 'USD',"
            " 'capture', ?, '2026-01-01T00:00:00.000000Z')",
            (f"merchant:{merchant}:available", merchant),
        )
    report = run(tmp_path, "verify-ledger", "--json")
    assert report.returncode == 1
    found = json.loads(report.stdout)
    assert found["ok"] is False
    assert {v["invariant"] for v in found["violations"]} == {"available_balance"}
    readable = run(tmp_path, "verify-ledger")
    assert readable.returncode == 1
    assert "available_balance" in readable.stdout


def test_recover_finishes_half_done_work_and_reports_it(tmp_path: Path) -> None:
    merchant = seed(tmp_path / "cli.db", 1)
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("DELETE FROM ledger_transfers")  # the crash hit before the transfers
    recovered = run(tmp_path, "recover", "--json")
    assert recovered.returncode == 0, recovered.stderr
    actions = json.loads(recovered.stdout)
    assert [a["done"] for a in actions] == ["posted transfers"]
    assert run(tmp_path, "verify-ledger").returncode == 0
    assert merchant


def test_commands_refuse_to_run_on_an_unmigrated_store(tmp_path: Path) -> None:
    result = run(tmp_path, "verify-ledger")
    assert result.returncode == 1
    assert "fintech migrate" in result.stderr


def test_purge_removes_keys_older_than_the_retention(tmp_path: Path) -> None:
    seed(tmp_path / "cli.db", 0)
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute(
            "INSERT INTO idempotency_keys (scope, fingerprint, operation_id, lease_token,"
            " locked_until, created_at) VALUES ('old', 'f', 'pay_1', 'l', 'x',"
            " '2000-01-01T00:00:00.000000Z'), ('new', 'f', 'pay_2', 'l', 'x',"
            " '2999-01-01T00:00:00.000000Z')"
        )
    purged = run(tmp_path, "purge-idempotency-keys")
    assert purged.returncode == 0
    assert "1 idempotency key(s) purged" in purged.stdout


@pytest.mark.anyio
async def test_the_service_recovers_a_payment_left_pending_when_it_starts(
    tmp_path: Path,
) -> None:
    db = tmp_path / "startup.db"
    settings = make_settings(f"sqlite:///{db}")
    async with AsyncTestClient(app=create_app(settings, FakeSystemProvider())):
        pass  # migrate
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO payments (id, merchant_id, amount, currency, status, captured_amount,"
            " refunded_amount, fee_amount, capture_requested, created_at, updated_at,"
            " refund_ids) VALUES ('pay_1', 'mer_1', 100, 'USD', 'pending', 0, 0, 0, 1,"
            " '2026-01-31T11:00:00.000000Z', '2026-01-31T11:00:00.000000Z', ',')"
        )
    async with AsyncTestClient(app=create_app(settings, FakeSystemProvider())):
        with sqlite3.connect(db) as conn:
            status = conn.execute("SELECT status FROM payments WHERE id = 'pay_1'").fetchone()
            events = conn.execute("SELECT type FROM events").fetchall()
    assert status == ("failed",)
    assert events == [("payment.failed",)]
