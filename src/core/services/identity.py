"""Identity use cases: register, login, refresh, logout, profile, user admin.

Authentication answers never say which part was wrong: an unknown email and a wrong password
are the same ``invalid_credentials`` after the same amount of hashing work, and every bad
refresh token is the same ``invalid_refresh_token``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import NoReturn

import attrs

from core.domain.errors import NotFound
from core.domain.identity import Principal, Role
from core.domain.users import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    User,
    normalise_email,
    validate_new_user,
    validate_roles,
)
from core.services.authorization import require_admin
from core.services.rate_limiting import Hit, RateLimiter, opaque_key
from ports.audit import AuditLog
from ports.clock import Clock
from ports.directory import Membership, Memberships
from ports.ids import IdGenerator
from ports.passwords import PasswordHasher
from ports.refresh_tokens import RefreshTokenRecord, RefreshTokenStore
from ports.security import AccessTokens
from ports.users import UserRepository

__all__ = ["IdentityService", "Profile", "TokenPair", "UserPage", "hash_refresh_token"]


@attrs.frozen
class TokenPair:
    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_in: int


@attrs.frozen
class Profile:
    user: User
    merchants: list[Membership]


@attrs.frozen
class UserPage:
    items: list[User]
    next_after: str | None


def hash_refresh_token(token: str) -> str:
    """What the store keeps: SHA-256 of the 256-bit random token (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class IdentityService:
    def __init__(
        self,
        *,
        users: UserRepository,
        hasher: PasswordHasher,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokenStore,
        memberships: Memberships,
        audit: AuditLog,
        limiter: RateLimiter,
        clock: Clock,
        ids: IdGenerator,
        refresh_ttl_seconds: int,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._access = access_tokens
        self._refresh = refresh_tokens
        self._memberships = memberships
        self._audit = audit
        self._limiter = limiter
        self._clock = clock
        self._ids = ids
        self._refresh_ttl = refresh_ttl_seconds
        self._dummy_hash: str | None = None

    # -- registration and login -------------------------------------------------------------

    async def register(
        self, email: str, password: str, name: str | None, *, client_address: str | None
    ) -> User:
        """Create a plain ``user`` (admins come from ``create-admin`` or a role change)."""
        if client_address:
            await self._limiter.hit_rule(
                opaque_key("register-address", client_address),
                self._limiter.policy.register_per_address,
            )
        normalised = validate_new_user(email, password, name)
        user = await self._create(normalised, password, name, frozenset({Role.USER.value}))
        await self._audit.record(actor_id=user.id, action="auth.register", target=user.id)
        return user

    async def _create(
        self, email: str, password: str, name: str | None, roles: frozenset[str]
    ) -> User:
        now = self._clock.now()
        user = User(
            id=self._ids.new("usr"),
            email=email,
            name=name,
            roles=roles,
            created_at=now,
            updated_at=now,
        )
        if not await self._users.add(user, await self._hasher.hash(password)):
            raise EmailTaken("An account with this email already exists")
        return user

    async def login(self, email: str, password: str, *, client_address: str | None) -> TokenPair:
        """Tokens for valid credentials; ``InvalidCredentials`` otherwise, whatever was wrong."""
        normalised = normalise_email(email)
        policy = self._limiter.policy
        # Attempts take a slot before the password is checked (so concurrent guesses are
        # bounded too); a successful login gives its slots back, so only failures count.
        hits: list[Hit] = []
        if client_address:
            hits.append(
                await self._limiter.hit_rule(
                    opaque_key("login-address", client_address), policy.login_per_address
                )
            )
        hits.append(
            await self._limiter.hit_rule(
                opaque_key("login-account", normalised), policy.login_per_account
            )
        )
        found = await self._users.credentials_for_email(normalised)
        if found is None:
            # The same hashing work as a real check, so timing does not reveal the account.
            await self._hasher.verify(await self._dummy(), password)
            await self._audit.record(actor_id=None, action="auth.login", outcome="failure")
            raise InvalidCredentials("Invalid email or password")
        user = found.user
        if not await self._hasher.verify(found.password_hash, password):
            await self._audit.record(
                actor_id=user.id, action="auth.login", target=user.id, outcome="failure"
            )
            raise InvalidCredentials("Invalid email or password")
        for hit in hits:
            await self._limiter.release(hit)
        if self._hasher.needs_rehash(found.password_hash):
            await self._users.set_password_hash(
                user.id, found.password_hash, await self._hasher.hash(password), self._clock.now()
            )
        family_id = self._ids.new("rtk")
        await self._refresh.start_family(family_id, user.id, self._clock.now())
        pair = await self._issue(user, family_id)
        await self._audit.record(actor_id=user.id, action="auth.login", target=user.id)
        return pair

    async def warm_up(self) -> None:
        """Make the dummy hash now, so no login pays for it on one branch only."""
        await self._dummy()

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._hasher.hash(secrets.token_urlsafe(24))
        return self._dummy_hash

    async def _issue(self, user: User, family_id: str) -> TokenPair:
        access = self._access.issue(Principal(user_id=user.id, roles=user.roles))
        refresh = secrets.token_urlsafe(32)
        now = self._clock.now()
        await self._refresh.add(
            RefreshTokenRecord(
                token_hash=hash_refresh_token(refresh),
                family_id=family_id,
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(seconds=self._refresh_ttl),
                used_at=None,
            )
        )
        return TokenPair(
            access_token=access.token, refresh_token=refresh, expires_in=access.expires_in
        )

    # -- refresh and logout -----------------------------------------------------------------

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is spent and a new pair issued in the same family.

        A token that was already used means it leaked (or the client raced itself): the
        whole family is revoked, so neither the thief nor the victim can refresh again.
        """
        token_hash = hash_refresh_token(refresh_token)
        record = await self._refresh.find(token_hash)
        if record is None:
            raise InvalidRefreshToken("Invalid refresh token")
        family = await self._refresh.family(record.family_id)
        if family is None or family.revoked_at is not None:
            raise InvalidRefreshToken("Invalid refresh token")
        now = self._clock.now()
        if record.used_at is not None:
            await self._reuse_detected(record)
        if record.expires_at <= now:
            raise InvalidRefreshToken("Invalid refresh token")
        if not await self._refresh.mark_used(token_hash, now):
            await self._reuse_detected(record)  # lost a race against another use of it
        user = await self._users.get(record.user_id)
        if user is None:
            await self._refresh.revoke_family(record.family_id, now, "user_missing")
            raise InvalidRefreshToken("Invalid refresh token")
        pair = await self._issue(user, record.family_id)
        # A reuse detected between our claim and now revoked the family, new token included.
        family = await self._refresh.family(record.family_id)
        if family is None or family.revoked_at is not None:
            raise InvalidRefreshToken("Invalid refresh token")
        return pair

    async def _reuse_detected(self, record: RefreshTokenRecord) -> NoReturn:
        await self._refresh.revoke_family(record.family_id, self._clock.now(), "reuse")
        await self._audit.record(
            actor_id=record.user_id,
            action="auth.refresh_reuse",
            target=record.family_id,
            outcome="denied",
        )
        raise InvalidRefreshToken("Invalid refresh token")

    async def logout(self, principal: Principal, refresh_token: str) -> None:
        """Revoke the session the refresh token belongs to (the caller's own only)."""
        record = await self._refresh.find(hash_refresh_token(refresh_token))
        if record is None or record.user_id != principal.user_id:
            return  # nothing of the caller's to revoke; the answer stays the same
        if await self._refresh.revoke_family(record.family_id, self._clock.now(), "logout"):
            await self._audit.record(
                actor_id=principal.user_id, action="auth.logout", target=record.family_id
            )

    # -- profile and administration ---------------------------------------------------------

    async def me(self, principal: Principal) -> Profile:
        user = await self._users.get(principal.user_id)
        if user is None:
            raise NotFound("No such user")
        return Profile(user=user, merchants=await self._memberships.for_user(user.id))

    async def list_users(self, principal: Principal, *, after: str | None, limit: int) -> UserPage:
        require_admin(principal)
        rows = await self._users.page(after_id=after, limit=limit + 1)
        await self._audit.record(actor_id=principal.user_id, action="user.list")
        items = rows[:limit]
        return UserPage(items=items, next_after=items[-1].id if len(rows) > limit else None)

    async def set_roles(self, principal: Principal, user_id: str, roles: list[str]) -> User:
        require_admin(principal)
        chosen = validate_roles(roles)
        if not await self._users.set_roles(user_id, chosen, self._clock.now()):
            raise NotFound("No such user")
        user = await self._users.get(user_id)
        if user is None:
            raise NotFound("No such user")
        await self._audit.record(
            actor_id=principal.user_id, action="user.roles_changed", target=user_id
        )
        return user

    async def ensure_admin(
        self, principal: Principal, email: str, password: str
    ) -> tuple[User, bool]:
        """Create an admin, or promote the existing user; True when the user was created."""
        require_admin(principal)
        normalised = normalise_email(email)
        found = await self._users.credentials_for_email(normalised)
        if found is not None:
            roles = found.user.roles | {Role.ADMIN.value}
            await self._users.set_roles(found.user.id, roles, self._clock.now())
            await self._audit.record(
                actor_id=principal.user_id, action="user.promoted_admin", target=found.user.id
            )
            return attrs.evolve(found.user, roles=roles), False
        normalised = validate_new_user(email, password, None)
        user = await self._create(
            normalised, password, None, frozenset({Role.ADMIN.value, Role.USER.value})
        )
        await self._audit.record(
            actor_id=principal.user_id, action="user.admin_created", target=user.id
        )
        return user, True
