"""Type prefixes of the opaque ids the API hands out."""

from __future__ import annotations

from typing import Final

PREFIXES: Final = frozenset(
    {
        "usr",
        "mer",
        "mem",
        "pay",
        "ref",
        "stl",
        "trf",
        "evt",
        "whe",
        "whd",
        "con",
        "acc",
        "txn",
        "bud",
        "gol",
        "nws",
        "aud",
        "rtk",
        "req",
        "snp",
    }
)


def has_prefix(value: str, prefix: str) -> bool:
    """Whether ``value`` looks like an id of the given type."""
    head, sep, tail = value.partition("_")
    return bool(sep) and head == prefix and 0 < len(tail) <= 64 and tail.isalnum()
