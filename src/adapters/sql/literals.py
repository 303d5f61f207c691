"""The one place that turns values into SQL text, and the one ``?`` placeholder scanner.

Inline mode (``elixir+http://…?params=inline``) exists for servers that accept only
``{"sql"}``: the statement must then carry its values as literals. ``render`` is the single,
audited encoder for that; nothing else in the code base interpolates values into SQL.

Rendering rules (standard SQL, understood by SQLite and PostgreSQL alike):

- ``None`` → ``NULL``; ``True``/``False`` → ``TRUE``/``FALSE``;
- ``int`` → decimal digits, refused outside the symmetric signed 64-bit range
  ``±(2**63 - 1)`` (``-2**63`` is refused because SQLite reads its magnitude as a REAL);
- ``str`` → single quotes with embedded quotes doubled, refused when it holds NUL, another
  control character (TAB, LF and CR excepted: they are ordinary text and render verbatim in a
  standard string literal) or a lone surrogate (not encodable as UTF-8);
- anything else (floats, bytes, Decimal, dates, ...) → refused.

A literal is padded with a space when the character next to its placeholder could fuse with
it into another token (``1-?`` with ``-5`` would otherwise become the comment ``1--5``;
``E?`` with a string would become a PostgreSQL escape string). ``?`` is a placeholder only
outside string literals, quoted identifiers and comments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from ports.sql import SqlValue, StatementRejected

__all__ = [
    "INT64_MAX",
    "LiteralRefused",
    "PlaceholderMismatch",
    "check_value",
    "render",
    "render_literal",
    "split_placeholders",
]

INT64_MAX = 2**63 - 1
# C0 controls except TAB, LF, CR; DEL; C1 controls; lone surrogates.
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SAFE_NEIGHBOURS = frozenset(" \t\r\n(),;")


class LiteralRefused(StatementRejected):
    """A parameter value cannot be rendered (or sent) safely; nothing was sent."""


class PlaceholderMismatch(StatementRejected):
    """The number of ``?`` placeholders differs from the number of parameters."""


def check_value(value: object, index: int, *, inline: bool) -> None:
    """Refuse a parameter the store could not receive exactly; the message never shows it.

    ``inline`` adds the literal-only rules (control characters); both modes refuse
    unsupported types, integers beyond 64 bits and strings that are not valid Unicode.
    """
    where = f"parameter {index + 1}"
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -INT64_MAX <= value <= INT64_MAX:
            raise LiteralRefused(f"{where}: integer outside the signed 64-bit range")
        return
    if isinstance(value, str):
        bad = _UNSAFE_CHARS.search(value) if inline else _first_surrogate(value)
        if bad is not None:
            code = ord(bad.group(0))
            kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
            raise LiteralRefused(
                f"{where}: string holds {kind} (U+{code:04X}) at offset {bad.start()}"
            )
        return
    if isinstance(value, float):
        reason = "a non-finite number" if not math.isfinite(value) else "a float"
        raise LiteralRefused(f"{where}: {reason} is not a supported SQL value (use integers)")
    raise LiteralRefused(f"{where}: unsupported type {type(value).__name__}")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _first_surrogate(value: str) -> re.Match[str] | None:
    return _SURROGATE.search(value)


def render_literal(value: SqlValue, index: int = 0) -> str:
    """One value as a standard SQL literal, or ``LiteralRefused``."""
    check_value(value, index, inline=True)
    if value is None:
        return "NULL"
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


@lru_cache(maxsize=2048)
def split_placeholders(sql: str) -> tuple[str, ...]:
    """The SQL text around each ``?`` placeholder (``n`` placeholders → ``n + 1`` parts).

    Skips ``'…'`` string literals (``''`` escapes), ``"…"`` quoted identifiers, ``-- …``
    line comments and ``/* … */`` block comments. Results are cached: repositories reuse a
    small set of statement texts.
    """
    parts: list[str] = []
    start = 0
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch == "'" or ch == '"':
            i = _skip_quoted(sql, i, ch)
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i + 2)
            i = n if end < 0 else end + 1
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == "?":
            parts.append(sql[start:i])
            i += 1
            start = i
        else:
            i += 1
    parts.append(sql[start:])
    return tuple(parts)


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    """Index just past the quoted run starting at ``i`` (doubled quotes stay inside)."""
    j = i + 1
    n = len(sql)
    while j < n:
        if sql[j] == quote:
            if j + 1 < n and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def render(sql: str, params: Sequence[SqlValue]) -> str:
    """``sql`` with every placeholder replaced by its parameter's literal."""
    parts = split_placeholders(sql)
    if len(parts) - 1 != len(params):
        raise PlaceholderMismatch(
            f"statement has {len(parts) - 1} placeholder(s) but {len(params)} parameter(s)"
        )
    if not params:
        return sql
    out = [parts[0]]
    before = parts[0][-1:]
    for index, value in enumerate(params):
        literal = render_literal(value, index)
        after = parts[index + 1][:1]
        if before and before not in _SAFE_NEIGHBOURS:
            literal = " " + literal
        if after and after not in _SAFE_NEIGHBOURS:
            literal = literal + " "
        out.append(literal)
        out.append(parts[index + 1])
        before = parts[index + 1][-1:] or literal[-1]
    return "".join(out)
