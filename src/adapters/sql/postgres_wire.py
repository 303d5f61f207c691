"""How statements, values and failures cross asyncpg (the PostgreSQL executor's codec).

- ``?`` placeholders become ``$n`` once per SQL text (cached; literals, quoted identifiers
  and comments untouched), optionally with a pinned type where PostgreSQL cannot infer one;
- parameters are coerced to the type PostgreSQL inferred, the way SQLite's type affinity
  would store them (``True`` into INTEGER is ``1``, ``5`` into TEXT is ``'5'``);
- results come back as port values (``SUM`` over BIGINT is NUMERIC: integral ones become int);
- asyncpg and socket failures become the port's errors, by SQLSTATE class.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import asyncpg

from adapters.sql.literals import split_placeholders
from ports.sql import (
    ConstraintViolation,
    DatabaseError,
    DatabaseUnavailable,
    OutcomeUnknown,
    SqlError,
    SqlValue,
    StatementRejected,
)

__all__ = [
    "coerce_param",
    "decode_value",
    "indeterminate_parameter",
    "rowcount_from_status",
    "to_dollar_params",
    "translate_error",
]

_INT_TYPES = frozenset({"int2", "int4", "int8", "oid"})
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar", "char", "name", "unknown"})
_FLOAT_TYPES = frozenset({"float4", "float8"})
_INTEGER_TEXT = re.compile(r"^[+-]?\d{1,19}$")


@lru_cache(maxsize=2048)
def to_dollar_params(sql: str, casts: tuple[tuple[int, str], ...] = ()) -> str:
    """``?`` placeholders (outside literals, identifiers and comments) as ``$1``, ``$2``, ...

    ``casts`` pins the type of some parameters (``((1, "text"),)`` → ``$1::text``), for the
    ones PostgreSQL cannot infer (``? IS NULL``).
    """
    pinned = dict(casts)
    parts = split_placeholders(sql)
    out = [parts[0]]
    for n, part in enumerate(parts[1:], start=1):
        out.append(f"${n}::{pinned[n]}" if n in pinned else f"${n}")
        out.append(part)
    return "".join(out)


_INDETERMINATE = re.compile(r"parameter \$(\d+)")


def indeterminate_parameter(exc: Exception) -> int:
    """The ``n`` of "could not determine data type of parameter $n" (0 if absent)."""
    match = _INDETERMINATE.search(str(exc))
    return int(match.group(1)) if match else 0


def translate_error(exc: BaseException, *, sent: bool) -> SqlError:
    """The port error for an asyncpg or socket failure; ``sent``: the statement was executing."""
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        message = f"{state}: {exc}" if state else str(exc)
        if state == "23502":
            return StatementRejected(f"not_null: {message}")
        if state.startswith("23"):
            return ConstraintViolation(message)
        if state.startswith(("42", "22", "0A")):
            return StatementRejected(message)
        if state.startswith(("40", "53")) or state == "57014":
            # serialization failure, deadlock, out of resources, statement timeout: the server
            # says the statement failed and was rolled back, so it is safe to run again.
            return DatabaseUnavailable(f"rolled back by the server: {message}")
        if state.startswith(("08", "57P")):
            # the backend is going away: whether a running statement committed is unknown
            return (OutcomeUnknown if sent else DatabaseUnavailable)(message)
        return DatabaseError(message)
    if isinstance(exc, (OSError, asyncpg.InterfaceError, TimeoutError)):
        what = "connection lost or timed out while executing" if sent else "cannot connect"
        return (OutcomeUnknown if sent else DatabaseUnavailable)(f"{what}: {exc!r}")
    return DatabaseError(f"{type(exc).__name__}: {exc}")


def coerce_param(value: SqlValue, type_name: str, index: int) -> Any:
    """A value as PostgreSQL's inferred parameter type wants it (SQLite affinity rules)."""
    if value is None:
        return None
    if type_name in _INT_TYPES:
        if isinstance(value, str):
            if not _INTEGER_TEXT.match(value):
                raise StatementRejected(f"invalid_type: parameter {index + 1} must be an integer")
            return int(value)
        return int(value)
    if type_name in _TEXT_TYPES:
        return str(int(value)) if isinstance(value, (bool, int)) else value
    if type_name == "bool":
        return bool(value) if isinstance(value, int) else value
    if type_name == "numeric" and isinstance(value, int):
        return Decimal(int(value))
    if type_name in _FLOAT_TYPES and isinstance(value, int):
        return float(value)
    return value


def decode_value(value: Any) -> Any:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)  # SUM over BIGINT is NUMERIC in PostgreSQL
    return value


def rowcount_from_status(status: str | None) -> int:
    if not status:
        return 0
    words = status.split()
    if words[0] in ("INSERT", "UPDATE", "DELETE", "MERGE") and words[-1].isdigit():
        return int(words[-1])
    return 0
