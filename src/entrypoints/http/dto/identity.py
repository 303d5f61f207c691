"""Wire shapes of ``/v1/auth``, ``/v1/me`` and ``/v1/admin/{users,audit}``.

Requests refuse unknown fields (a client cannot set ``roles``, ``id`` or ``status``) and
bound every string; responses are built field by field from domain objects, so a password
hash or token hash has no path into a body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec

from core.domain.users import MAX_PASSWORD_LENGTH, User
from ports.audit import AuditEvent
from ports.directory import Membership

__all__ = [
    "AuditEventOut",
    "AuditPageOut",
    "LoginRequest",
    "LogoutRequest",
    "MeOut",
    "MerchantMembershipOut",
    "RefreshRequest",
    "RegisterRequest",
    "RolesRequest",
    "TokenPairOut",
    "UserAdminOut",
    "UserOut",
    "UserPageOut",
    "rfc3339",
]

Email = Annotated[str, msgspec.Meta(max_length=320)]
Password = Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD_LENGTH)]
# 256-bit tokens are 43 characters in base64url; anything far longer is not ours.
RefreshToken = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken


class LogoutRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken


class RolesRequest(msgspec.Struct, forbid_unknown_fields=True):
    roles: Annotated[list[Annotated[str, msgspec.Meta(max_length=32)]], msgspec.Meta(max_length=8)]


class UserOut(msgspec.Struct):
    id: str
    email: str
    name: str | None
    roles: list[str]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, email=user.email, name=user.name, roles=sorted(user.roles))


class UserAdminOut(msgspec.Struct):
    id: str
    email: str
    name: str | None
    roles: list[str]
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, user: User) -> UserAdminOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            roles=sorted(user.roles),
            created_at=rfc3339(user.created_at),
            updated_at=rfc3339(user.updated_at),
        )


class UserPageOut(msgspec.Struct):
    items: list[UserAdminOut]
    next_cursor: str | None


class MerchantMembershipOut(msgspec.Struct):
    id: str
    role: str


class MeOut(msgspec.Struct):
    id: str
    email: str
    name: str | None
    roles: list[str]
    merchants: list[MerchantMembershipOut]

    @classmethod
    def of(cls, user: User, memberships: list[Membership]) -> MeOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            roles=sorted(user.roles),
            merchants=[
                MerchantMembershipOut(id=m.merchant_id, role=m.role.value) for m in memberships
            ],
        )


class TokenPairOut(msgspec.Struct):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


class AuditEventOut(msgspec.Struct):
    id: str
    at: str
    actor_id: str | None
    action: str
    target: str | None
    outcome: str
    correlation_id: str | None

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        return cls(
            id=event.id,
            at=rfc3339(event.at),
            actor_id=event.actor_id,
            action=event.action,
            target=event.target,
            outcome=event.outcome,
            correlation_id=event.correlation_id,
        )


class AuditPageOut(msgspec.Struct):
    items: list[AuditEventOut]
    next_cursor: str | None
