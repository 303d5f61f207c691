"""Opaque list cursors: the sortable id of the last item, base64url-encoded."""

from __future__ import annotations

import base64
import binascii

from core.domain.errors import FieldError, ValidationFailed
from core.domain.ids import has_prefix

__all__ = ["decode_cursor", "encode_cursor"]


def encode_cursor(last_id: str | None) -> str | None:
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, prefix: str) -> str | None:
    """The id inside ``cursor``; 400 ``invalid_cursor`` for anything this API did not hand out."""
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        value = ""
    if not has_prefix(value, prefix):
        raise ValidationFailed(
            "The cursor is not valid",
            errors=[FieldError("cursor", "not a cursor from this list")],
            code="invalid_cursor",
        )
    return value
