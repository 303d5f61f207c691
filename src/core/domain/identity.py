"""Who is calling: the principal every use case receives, and the roles it can hold."""

from __future__ import annotations

from enum import StrEnum

import attrs


class Role(StrEnum):
    """Platform roles carried in the access token."""

    ADMIN = "admin"
    USER = "user"


class MerchantRole(StrEnum):
    """A user's role within one merchant."""

    OWNER = "owner"
    STAFF = "staff"


@attrs.frozen
class Principal:
    """The authenticated caller of a use case."""

    user_id: str
    roles: frozenset[str] = frozenset({Role.USER.value})
    token_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles


SYSTEM = Principal(user_id="system", roles=frozenset({Role.ADMIN.value}))
"""The principal of operator commands and background jobs."""
