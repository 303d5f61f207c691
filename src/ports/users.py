"""The users table: accounts, their credentials and platform roles (owned by identity)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from core.domain.users import User


@attrs.frozen
class UserCredentials:
    """A user and their password hash: only the login flow ever holds one."""

    user: User
    password_hash: str = attrs.field(repr=False)


class UserRepository(Protocol):
    async def add(self, user: User, password_hash: str) -> bool:
        """Insert a user; False when the email (or id) is already taken."""
        ...

    async def get(self, user_id: str) -> User | None: ...

    async def credentials_for_email(self, email: str) -> UserCredentials | None:
        """The user with this normalised email and their hash, or None."""
        ...

    async def page(self, *, after_id: str | None, limit: int) -> list[User]:
        """Users ordered by id, strictly after ``after_id``; at most ``limit``."""
        ...

    async def set_roles(self, user_id: str, roles: frozenset[str], at: datetime) -> bool:
        """Replace the user's roles; False when there is no such user."""
        ...

    async def set_password_hash(
        self, user_id: str, old_hash: str, new_hash: str, at: datetime
    ) -> bool:
        """Swap the hash only if it still is ``old_hash`` (a conditional update)."""
        ...
