"""The elixir_http executor against the SQL-over-HTTP test server: what goes on the wire."""

from __future__ import annotations

import ipaddress
import logging
import re
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import TracerProvider
from structlog.testing import capture_logs

from adapters.sql.elixir_http import ElixirHttpConfig, ElixirHttpExecutor, translate_reason
from adapters.sql.literals import LiteralRefused
from adapters.sql.postgres import PostgresExecutor
from entrypoints.http.app import create_app
from entrypoints.providers.stores import build_executor, elixir_config
from entrypoints.settings import SettingsError
from ports.sql import (
    ConstraintViolation,
    DatabaseError,
    DatabaseUnavailable,
    SqlError,
    StatementRejected,
)
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider
from tests.sqlhttp_server import Fault, SqlHttpServer, running

pytestmark = pytest.mark.anyio

TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")
DDL = "CREATE TABLE pay (id TEXT PRIMARY KEY, amount BIGINT NOT NULL, note TEXT)"


@pytest.fixture
def info_logs() -> Iterator[None]:
    """Let INFO events through whatever level an earlier test configured."""
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    yield
    structlog.configure(**saved)


@pytest.fixture
def server() -> Iterator[SqlHttpServer]:
    with running() as srv:
        yield srv


@pytest.fixture
async def db(server: SqlHttpServer) -> AsyncIterator[ElixirHttpExecutor]:
    executor = ElixirHttpExecutor(ElixirHttpConfig(base_url=server.base_url(), retries=1))
    await executor.execute(DDL)
    yield executor
    await executor.close()


async def test_every_call_carries_the_api_request_id_and_a_valid_traceparent(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-abc.123"):
        await db.execute("SELECT id FROM pay")
        await db.execute("INSERT INTO pay (id, amount) VALUES (?, ?)", ("p1", 1))
    for headers in server.seen_headers[-2:]:
        assert headers["x-request-id"] == "req-abc.123"
        assert TRACEPARENT.match(headers["traceparent"])
        assert headers["content-type"] == "application/json"
        assert "authorization" not in headers


async def test_outside_a_request_each_statement_gets_a_fresh_request_id(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    await db.execute("SELECT id FROM pay")
    await db.execute("SELECT id FROM pay")
    first, second = server.seen_headers[-2:]
    assert first["x-request-id"] != second["x-request-id"]
    assert first["traceparent"] != second["traceparent"]


async def test_the_current_opentelemetry_span_is_propagated(
    server: SqlHttpServer, db: ElixirHttpExecutor
) -> None:
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        await db.execute("SELECT id FROM pay")
        context = span.get_span_context()
    sent = server.seen_headers[-1]["traceparent"]
    flags = int(context.trace_flags)
    assert sent == f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags:02x}"


@pytest.mark.usefixtures("info_logs")
async def test_a_configured_database_token_is_sent_as_bearer_and_never_logged() -> None:
    with running(token="db-token-s3cr3t-value") as server:
        good = ElixirHttpExecutor(
            ElixirHttpConfig(base_url=server.base_url(), token="db-token-s3cr3t-value")
        )
        bad = ElixirHttpExecutor(ElixirHttpConfig(base_url=server.base_url(), retries=0))
        try:
            with capture_logs() as logs:
                await good.execute(DDL)
            assert server.seen_headers[-1]["authorization"] == "Bearer db-token-s3cr3t-value"
            assert [e["event"] for e in logs] == ["sql_round_trip"]
            assert "s3cr3t" not in repr(logs)
            assert "s3cr3t" not in repr(good.config)
            with pytest.raises(DatabaseError, match="401"):
                await bad.execute("SELECT id FROM pay")
        finally:
            await good.close()
            await bad.close()


@pytest.mark.usefixtures("info_logs")
async def test_one_log_line_per_statement_with_fingerprint_and_timing_but_no_values(
    db: ElixirHttpExecutor,
) -> None:
    with capture_logs() as logs:
        await db.execute(
            "INSERT INTO pay (id, amount, note) VALUES (?, ?, ?)", ("p1", 4242, "private note")
        )
        await db.execute("SELECT id, amount FROM pay WHERE id = ?", ("p1",))
        with pytest.raises(ConstraintViolation):
            await db.execute("INSERT INTO pay (id, amount) VALUES (?, ?)", ("p1", 1))
    lines = [e for e in logs if e["event"] == "sql_round_trip"]
    assert [e["statement"] for e in lines] == ["insert pay", "select pay", "insert pay"]
    assert all(e["duration_ms"] >= 0 and len(e["sql_digest"]) == 10 for e in lines)
    assert lines[0]["rowcount"] == 1
    assert lines[1]["rows"] == 1
    assert lines[2]["outcome"] == "ConstraintViolation"
    text = repr(logs)
    assert "private note" not in text
    assert "4242" not in text


async def test_inline_mode_sends_only_sql_to_a_server_that_refuses_params() -> None:
    with running(refuse_params=True) as server:
        inline = ElixirHttpExecutor(ElixirHttpConfig(base_url=server.base_url(), inline=True))
        native = ElixirHttpExecutor(ElixirHttpConfig(base_url=server.base_url()))
        try:
            await inline.execute(DDL)
            await inline.execute(
                "INSERT INTO pay (id, amount, note) VALUES (?, ?, ?)", ("p1", -5, "it's")
            )
            row = (
                await inline.execute("SELECT amount, note FROM pay WHERE id = ?", ("p1",))
            ).first()
            assert row == {"amount": -5, "note": "it's"}
            with pytest.raises(StatementRejected, match="unsupported_statement"):
                await native.execute("SELECT amount FROM pay WHERE id = ?", ("p1",))
        finally:
            await inline.close()
            await native.close()


@pytest.mark.parametrize("inline", [True, False])
async def test_unsafe_values_are_refused_before_anything_is_sent(
    server: SqlHttpServer, inline: bool
) -> None:
    executor = ElixirHttpExecutor(ElixirHttpConfig(base_url=server.base_url(), inline=inline))
    bad = ["nul\x00byte", 2**64, 1.5] if inline else [2**64, 1.5, "\udc80"]
    try:
        for value in bad:
            with pytest.raises(LiteralRefused):
                await executor.execute("SELECT ?", (value,))  # type: ignore[arg-type]
        assert server.requests == 0
    finally:
        await executor.close()


@pytest.mark.parametrize(
    ("body", "columns", "rows", "rowcount"),
    [
        (b'{"success": true, "data": {"id": "p1", "amount": 1}, "error": null}', (), (), 1),
        (b'{"success": true, "data": 3, "error": null}', (), (), 3),
        (b'{"success": true, "data": null, "error": null}', (), (), 0),
        (b'{"success": true, "data": [], "error": null}', (), (), 0),
        (
            b'{"success": true, "data": [{"n": 2.0, "s": "x"}], "error": null}',
            ("n", "s"),
            ((2, "x"),),
            0,
        ),
    ],
)
async def test_every_data_shape_of_the_contract_is_understood(
    server: SqlHttpServer,
    db: ElixirHttpExecutor,
    body: bytes,
    columns: tuple[str, ...],
    rows: tuple[tuple[object, ...], ...],
    rowcount: int,
) -> None:
    server.inject(Fault("body", body=body))
    result = await db.execute("SELECT 1")
    assert (result.columns, result.rows, result.rowcount) == (columns, rows, rowcount)


@pytest.mark.parametrize(
    "body",
    [
        b'{"success": true, "data": [1, 2], "error": null}',
        b'{"success": true, "data": true, "error": null}',
        b'{"success": true, "data": [{"a": 1}, {"b": 2}], "error": null}',
        b'{"data": 1}',
        b"[]",
    ],
)
async def test_answers_outside_the_contract_are_database_errors(
    server: SqlHttpServer, db: ElixirHttpExecutor, body: bytes
) -> None:
    server.inject(Fault("body", body=body, match="INSERT"))
    with pytest.raises(DatabaseError, match="malformed"):
        await db.execute("INSERT INTO pay (id, amount) VALUES (?, ?)", ("p1", 1))


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("duplicate_primary_key: pay.id", ConstraintViolation),
        ("duplicate_unique: (owner, note)", ConstraintViolation),
        ("UNIQUE constraint failed: pay.id", ConstraintViolation),
        ("invalid_type: amount", StatementRejected),
        ("missing_column: colour", StatementRejected),
        ("not_null: pay.amount", StatementRejected),
        ("syntax error near UNIQUE", StatementRejected),
        ("unsupported_statement", StatementRejected),
        ("no such table: unique_things", StatementRejected),
        ("disk full", DatabaseError),
    ],
)
def test_error_reasons_translate_exactly_as_the_contract_says(
    reason: str, error: type[SqlError]
) -> None:
    translated = translate_reason(reason)
    assert type(translated) is error
    assert str(translated) == reason


async def test_the_store_url_options_override_the_settings() -> None:
    settings = make_settings(
        "elixir+https://db.internal:4443/sql?params=inline&read_timeout=2.5&retries=0&pool_size=3",
        FINTECH_SQL_TOKEN="tok",
        FINTECH_SQL_CONNECT_TIMEOUT="1.5",
    )
    config = elixir_config(settings)
    assert config.base_url == "https://db.internal:4443/sql"
    assert (config.inline, config.read_timeout, config.retries, config.pool_size) == (
        True,
        2.5,
        0,
        3,
    )
    assert (config.connect_timeout, config.token) == (1.5, "tok")
    executor = build_executor(settings)
    assert isinstance(executor, ElixirHttpExecutor)
    await executor.close()


@pytest.mark.parametrize(
    "query",
    [
        "params=sideways",
        "read_timeout=soon",
        "retries=99",
        "colour=blue",
        "pool_size=0",
        "ca_bundle=/nowhere.pem",
    ],
)
def test_invalid_store_url_options_name_the_variable(query: str) -> None:
    with pytest.raises(SettingsError) as caught:
        build_executor(make_settings(f"elixir+http://127.0.0.1:1?{query}"))
    assert caught.value.variable == "FINTECH_SQL_URL"


async def test_a_postgresql_url_builds_the_asyncpg_executor() -> None:
    executor = build_executor(make_settings("postgresql://fintech@127.0.0.1:1/fintech"))
    assert isinstance(executor, PostgresExecutor)
    await executor.close()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fintech test database")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "db.crt", tmp_path / "db.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_https_needs_a_trusted_certificate_and_refusal_is_unavailable(
    tmp_path: Path,
) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with running(tls=context) as server:
        base = server.base_url()
        assert base.startswith("https://")
        trusting = build_executor(make_settings(f"elixir+{base}?ca_bundle={cert}&retries=0"))
        stranger = build_executor(make_settings(f"elixir+{base}?retries=1"))
        try:
            await trusting.execute(DDL)
            assert server.executions("CREATE TABLE") == 1
            with pytest.raises(DatabaseUnavailable, match="cannot reach"):
                await stranger.execute("INSERT INTO pay (id, amount) VALUES (?, ?)", ("p", 1))
            assert server.executions("INSERT") == 0
        finally:
            await trusting.close()
            await stranger.close()


async def test_statements_run_for_an_api_request_carry_that_request_id(
    server: SqlHttpServer,
) -> None:
    settings = make_settings(server.url(uuid.uuid4().hex))
    async with AsyncTestClient(app=create_app(settings, FakeSystemProvider())) as client:
        before = len(server.seen_headers)
        response = await client.get("/health/ready", headers={"X-Request-ID": "corr-42.x"})
        assert response.status_code == 200
    during = server.seen_headers[before:]
    assert during
    assert {h["x-request-id"] for h in during} == {"corr-42.x"}
