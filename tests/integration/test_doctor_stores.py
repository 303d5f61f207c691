"""``fintech doctor`` on the remote stores: reachability, migrations and the dialect probe."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import structlog
from click.testing import CliRunner

from entrypoints.cli.main import cli
from tests.conftest import TEST_KEYS, TEST_SECRET
from tests.pg_cluster import ClusterUnavailable, shared_cluster
from tests.sqlhttp_server import Fault, SqlHttpServer, running


@pytest.fixture
def server() -> Iterator[SqlHttpServer]:
    with running() as srv:
        yield srv


def fintech(sql_url: str, *args: str) -> tuple[int, str]:
    env = {
        "FINTECH_ENV": "test",
        "FINTECH_SQL_URL": sql_url,
        "FINTECH_SECRET_KEY": TEST_SECRET,
        "FINTECH_ENCRYPTION_KEYS": TEST_KEYS,
        "FINTECH_LOG_LEVEL": "ERROR",
    }
    saved = structlog.get_config()  # the command configures logging for the whole process
    try:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    finally:
        structlog.configure(**saved)
    return result.exit_code, result.output


def checks(output: str) -> dict[str, dict[str, str]]:
    return {c["check"]: c for c in json.loads(output)["checks"]}


def test_doctor_passes_on_a_migrated_elixir_store(server: SqlHttpServer) -> None:
    assert fintech(server.url(), "migrate")[0] == 0
    code, output = fintech(server.url(), "doctor", "--json")
    assert code == 0, output
    found = checks(output)
    assert found["store"]["detail"].startswith("elixir")
    assert found["store reachable"]["status"] == "ok"
    assert "round trip" in found["store reachable"]["detail"]
    assert found["migrations"]["status"] == "ok"
    assert found["dialect"]["status"] == "ok"
    assert server.executions("DROP TABLE fintech_probe_") == 1


def test_doctor_names_each_statement_shape_the_store_rejects(server: SqlHttpServer) -> None:
    fintech(server.url(), "migrate")
    server.inject(
        Fault(
            "body",
            match="ON CONFLICT DO NOTHING",
            body=b'{"success": false, "error": "unsupported_statement: ON CONFLICT"}',
        ),
        Fault(
            "body",
            match="GROUP BY owner",
            body=b'{"success": false, "data": null, "error": "syntax: GROUP BY"}',
        ),
    )
    code, output = fintech(server.url(), "doctor", "--json")
    assert code == 1
    found = checks(output)
    on_conflict = found["dialect: INSERT … ON CONFLICT DO NOTHING"]
    assert on_conflict["status"] == "fail"
    assert "StatementRejected" in on_conflict["detail"]
    assert "unsupported_statement" in on_conflict["detail"]
    grouped = [k for k in found if k.startswith("dialect: SELECT with SUM")]
    assert len(grouped) == 1
    assert "GROUP BY" in found[grouped[0]]["detail"]
    assert "dialect" not in found
    assert server.executions("DROP TABLE fintech_probe_") == 1  # the scratch table is gone


def test_doctor_reports_an_unreachable_store() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, output = fintech(f"elixir+http://127.0.0.1:{port}?retries=0", "doctor", "--json")
    assert code == 1
    assert checks(output)["store reachable"]["status"] == "fail"


@pytest.mark.postgres
def test_doctor_passes_on_a_migrated_postgresql_store() -> None:
    try:
        cluster = shared_cluster()
    except ClusterUnavailable as exc:
        pytest.skip(f"PostgreSQL store: {exc}")
    url = cluster.new_schema()
    assert fintech(url, "migrate")[0] == 0
    code, output = fintech(url, "doctor")
    assert code == 0, output
    assert "statement shapes" in output


def test_migrate_stops_at_a_rejected_statement_naming_the_reason(server: SqlHttpServer) -> None:
    server.inject(
        Fault(
            "body",
            match="CREATE TABLE IF NOT EXISTS service_flags",
            body=b'{"success": false, "error": "unsupported_statement: CREATE TABLE"}',
        )
    )
    code, output = fintech(server.url(), "migrate")
    assert code == 1
    assert "rejected a statement" in output
    assert "unsupported_statement: CREATE TABLE" in output
