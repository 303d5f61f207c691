"""CORS only for configured origins (``FINTECH_CORS_ORIGINS``); none by default."""

from __future__ import annotations

from collections.abc import Sequence

from litestar.config.cors import CORSConfig

__all__ = ["cors_config"]


def cors_config(origins: Sequence[str]) -> CORSConfig | None:
    """No origins, no CORS headers at all (browsers then refuse cross-origin reads)."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "Idempotent-Replayed"],
        allow_credentials=False,
        max_age=600,
    )
