"""Statement fingerprints and the PostgreSQL error translation, without a server."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.sql.policy import describe
from adapters.sql.postgres_wire import translate_error
from ports.sql import (
    ConstraintViolation,
    DatabaseError,
    DatabaseUnavailable,
    OutcomeUnknown,
    SqlError,
    StatementRejected,
)


@pytest.mark.parametrize(
    ("sql", "fingerprint", "read"),
    [
        ("SELECT id, amount FROM payments WHERE id = ?", "select payments", True),
        (
            "  -- lead comment\n  select count(*) from ledger_transfers",
            "select ledger_transfers",
            True,
        ),
        ("INSERT INTO payments (id) VALUES (?) ON CONFLICT DO NOTHING", "insert payments", False),
        ("UPDATE payments SET status = ? WHERE id = ?", "update payments", False),
        ("DELETE FROM sessions WHERE id = ?", "delete sessions", False),
        ("CREATE TABLE IF NOT EXISTS audit (id TEXT)", "create audit", False),
        ("CREATE INDEX IF NOT EXISTS a_b ON audit (b)", "create a_b", False),
        ("SELECT 1", "select", True),
    ],
)
def test_statements_are_fingerprinted_by_keyword_and_table(
    sql: str, fingerprint: str, read: bool
) -> None:
    statement = describe(sql)
    assert statement.fingerprint == fingerprint
    assert statement.is_read is read
    assert len(statement.digest) == 10


def test_the_digest_tells_statements_apart_without_showing_them() -> None:
    first = describe("SELECT id FROM payments WHERE id = ?")
    second = describe("SELECT id FROM payments WHERE merchant_id = ?")
    assert first.fingerprint == second.fingerprint
    assert first.digest != second.digest


@pytest.mark.parametrize(
    ("exc", "sent", "expected"),
    [
        (asyncpg.UniqueViolationError("dup"), True, ConstraintViolation),
        (asyncpg.NotNullViolationError("null"), True, StatementRejected),
        (asyncpg.UndefinedTableError("no table"), False, StatementRejected),
        (asyncpg.UndefinedColumnError("no column"), False, StatementRejected),
        (asyncpg.PostgresSyntaxError("syntax"), False, StatementRejected),
        (asyncpg.NumericValueOutOfRangeError("too big"), True, StatementRejected),
        (asyncpg.SerializationError("retry"), True, DatabaseUnavailable),
        (asyncpg.DeadlockDetectedError("deadlock"), True, DatabaseUnavailable),
        (asyncpg.AdminShutdownError("terminating"), True, OutcomeUnknown),
        (asyncpg.AdminShutdownError("terminating"), False, DatabaseUnavailable),
        (asyncpg.TooManyConnectionsError("full"), False, DatabaseUnavailable),
        (ConnectionResetError("reset"), True, OutcomeUnknown),
        (ConnectionRefusedError("refused"), False, DatabaseUnavailable),
        (TimeoutError(), True, OutcomeUnknown),
        (asyncpg.ConnectionDoesNotExistError("closed"), True, OutcomeUnknown),
        (asyncpg.DiskFullError("disk"), True, DatabaseUnavailable),
        (asyncpg.InternalServerError("bug"), True, DatabaseError),
    ],
)
def test_postgresql_failures_translate_to_the_port_errors(
    exc: BaseException, sent: bool, expected: type[SqlError]
) -> None:
    assert type(translate_error(exc, sent=sent)) is expected
