"""The inline literal encoder: values round-trip exactly and can never change a statement."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.sql.literals import (
    INT64_MAX,
    LiteralRefused,
    PlaceholderMismatch,
    render,
    render_literal,
    split_placeholders,
)
from adapters.sql.postgres_wire import to_dollar_params
from ports.sql import StatementRejected

TRICKY = ["'", "''", '"', ";", "--", "/*", "*/", "?", "\\", "\n", "\t", "\r", "%s", "$1", "🙂", "ü"]
SAFE_CHARS = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r")
SAFE_TEXT = st.lists(st.one_of(st.text(SAFE_CHARS, max_size=20), st.sampled_from(TRICKY))).map(
    "".join
)
SAFE_INTS = st.integers(min_value=-INT64_MAX, max_value=INT64_MAX)
VALUES = st.one_of(st.none(), st.booleans(), SAFE_INTS, SAFE_TEXT)
UNSAFE_CHARS = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85]]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v)")  # no affinity: stores as given
    yield conn
    conn.close()


def stored(value: object) -> object:
    return int(value) if isinstance(value, bool) else value


@PROPERTY
@given(value=VALUES)
def test_any_supported_value_is_stored_exactly(db: sqlite3.Connection, value: object) -> None:
    db.execute("DELETE FROM t")
    db.execute(render("INSERT INTO t (id, v) VALUES (?, ?)", [1, value]))
    assert db.execute("SELECT v FROM t WHERE id = 1").fetchone()[0] == stored(value)
    assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1


@PROPERTY
@given(first=VALUES, second=VALUES)
def test_no_value_changes_the_statement_structure(
    db: sqlite3.Connection, first: object, second: object
) -> None:
    # Exactly two result columns holding exactly the two values: nothing escaped its literal,
    # and sqlite3 refuses a second statement, so a smuggled ";" would raise.
    cursor = db.execute(render("SELECT ?, ? -- trailing ? comment", [first, second]))
    assert len(cursor.description) == 2
    assert cursor.fetchall() == [(stored(first), stored(second))]


@PROPERTY
@given(value=SAFE_INTS)
def test_negative_numbers_next_to_an_operator_never_become_a_comment(
    db: sqlite3.Connection, value: int
) -> None:
    (result,) = db.execute(render("SELECT 1-?", [value])).fetchone()
    assert result == 1 - value


@PROPERTY
@given(first=SAFE_TEXT, second=SAFE_TEXT)
def test_adjacent_placeholders_never_fuse_into_one_literal(
    db: sqlite3.Connection, first: str, second: str
) -> None:
    # Unpadded, 'a''b' would be the single literal a'b. Padded, SQLite reads the second
    # literal as the column's alias: the value is exactly the first string.
    cursor = db.execute(render("SELECT ??", [first, second]))
    assert cursor.fetchall() == [(first,)]


def test_very_long_strings_round_trip(db: sqlite3.Connection) -> None:
    value = ("O'Brien; DROP TABLE t; -- " * 40_000)[:1_000_000]
    db.execute("DELETE FROM t")
    db.execute(render("INSERT INTO t (id, v) VALUES (?, ?)", [2, value]))
    assert db.execute("SELECT v FROM t WHERE id = 2").fetchone()[0] == value


@pytest.mark.parametrize("char", UNSAFE_CHARS)
def test_control_characters_are_refused_without_echoing_the_value(char: str) -> None:
    secret = f"secret{char}value"
    with pytest.raises(LiteralRefused) as caught:
        render("SELECT ?", [secret])
    assert "secret" not in str(caught.value)
    assert f"U+{ord(char):04X}" in str(caught.value)


@PROPERTY
@given(prefix=SAFE_TEXT, bad=st.sampled_from(UNSAFE_CHARS), suffix=SAFE_TEXT)
def test_a_control_character_anywhere_is_refused(prefix: str, bad: str, suffix: str) -> None:
    with pytest.raises(LiteralRefused):
        render_literal(prefix + bad + suffix)


@pytest.mark.parametrize(
    "value",
    [
        INT64_MAX + 1,
        -INT64_MAX - 1,
        10**30,
        float("nan"),
        float("inf"),
        1.5,
        Decimal("1.5"),
        b"bytes",
        datetime(2026, 1, 1, tzinfo=UTC),
        ["a"],
        "\ud800 lone surrogate",
    ],
)
def test_values_that_cannot_be_rendered_safely_are_refused(value: object) -> None:
    with pytest.raises(LiteralRefused):
        render("SELECT ?", [value])  # type: ignore[list-item]


def test_refusal_is_a_rejected_statement_for_the_error_mapping() -> None:
    assert issubclass(LiteralRefused, StatementRejected)


def test_standard_rendering_of_each_kind() -> None:
    assert render("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [None, True, False, -7, "it's"]) == (
        "INSERT INTO t VALUES (NULL, TRUE, FALSE, -7, 'it''s')"
    )


@pytest.mark.parametrize(
    ("sql", "placeholders"),
    [
        ("SELECT '?' , ?", 1),
        ("SELECT 'it''s ?' , ?", 1),
        ('SELECT "odd?name" FROM t WHERE a = ?', 1),
        ("SELECT ? -- a comment with ?\n, ?", 2),
        ("SELECT /* ? */ ?", 1),
        ("SELECT 'unterminated ?", 0),
    ],
)
def test_placeholders_count_only_outside_literals_identifiers_and_comments(
    sql: str, placeholders: int
) -> None:
    assert len(split_placeholders(sql)) - 1 == placeholders


def test_a_placeholder_count_mismatch_is_refused_before_sending() -> None:
    with pytest.raises(PlaceholderMismatch):
        render("SELECT ?, ?", ["one"])
    with pytest.raises(PlaceholderMismatch):
        render("SELECT '?'", ["one"])


def test_question_marks_become_dollar_parameters_outside_string_literals() -> None:
    assert to_dollar_params("SELECT '?', ? FROM t WHERE a = ? AND b = 'x?y' -- ?") == (
        "SELECT '?', $1 FROM t WHERE a = $2 AND b = 'x?y' -- ?"
    )
