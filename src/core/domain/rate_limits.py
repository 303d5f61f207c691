"""Rate limits as values: how many hits a key may make per fixed window."""

from __future__ import annotations

import attrs

__all__ = ["RateLimit", "RateLimitPolicy"]


@attrs.frozen
class RateLimit:
    """At most ``limit`` hits per ``window_seconds`` (a fixed window aligned to the epoch)."""

    limit: int = attrs.field(validator=attrs.validators.ge(1))
    window_seconds: int = attrs.field(validator=attrs.validators.ge(1))


@attrs.frozen
class RateLimitPolicy:
    """The configured limits (``FINTECH_RATE_*``); see README, section Identity and security."""

    login_per_account: RateLimit = RateLimit(10, 900)
    login_per_address: RateLimit = RateLimit(50, 900)
    register_per_address: RateLimit = RateLimit(10, 3600)
    money_writes_per_principal: RateLimit = RateLimit(120, 60)
