"""Who belongs where: users by email and merchant memberships (shared by identity and payments)."""

from __future__ import annotations

from typing import Protocol

import attrs

from core.domain.identity import MerchantRole


@attrs.frozen
class Membership:
    merchant_id: str
    user_id: str
    role: MerchantRole


class UserDirectory(Protocol):
    async def id_for_email(self, email: str) -> str | None:
        """The id of the user with this (normalised) email, or None."""
        ...


class Memberships(Protocol):
    async def add(self, merchant_id: str, user_id: str, role: MerchantRole) -> bool:
        """Add a membership; False when the user already is a member (role unchanged)."""
        ...

    async def role_of(self, merchant_id: str, user_id: str) -> MerchantRole | None:
        """The user's role in the merchant, or None when not a member."""
        ...

    async def for_user(self, user_id: str) -> list[Membership]:
        """Every merchant the user belongs to, oldest first."""
        ...

    async def for_merchant(self, merchant_id: str) -> list[Membership]:
        """Every member of the merchant, oldest first."""
        ...
