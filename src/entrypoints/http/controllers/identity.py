"""``/v1/auth``, ``/v1/me`` and the admin views of users and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import structlog
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.domain.errors import AuthenticationFailed, FieldError, RateLimited, ValidationFailed
from core.domain.identity import Principal
from core.services.audit_trail import AuditTrail
from core.services.identity import IdentityService, TokenPair
from entrypoints.http.cursors import decode_cursor, encode_cursor
from entrypoints.http.dto.identity import (
    AuditEventOut,
    AuditPageOut,
    LoginRequest,
    LogoutRequest,
    MeOut,
    RefreshRequest,
    RegisterRequest,
    RolesRequest,
    TokenPairOut,
    UserAdminOut,
    UserOut,
    UserPageOut,
)
from entrypoints.http.errors import problem_responses
from entrypoints.http.guards import admin_only

__all__ = ["AdminAuditController", "AdminUsersController", "AuthController", "MeController"]

log = structlog.get_logger("fintech.identity")

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Cursor = Annotated[str | None, QueryParameter(max_length=200)]


def _client_address(request: Request[Any, Any, Any]) -> str | None:
    address = request.scope.get("state", {}).get("client_address")
    return str(address) if address else None


def _pair(pair: TokenPair) -> TokenPairOut:
    return TokenPairOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type="bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=pair.expires_in,
    )


class AuthController(Controller):
    path = "/v1/auth"
    tags = ["auth"]

    @post(
        "/register",
        summary="Create an account (role user)",
        status_code=201,
        responses=problem_responses(400, 409, 413, 429),
    )
    async def register(
        self,
        data: JSONBody[RegisterRequest],
        request: Request[Any, Any, Any],
        identity: FromDishka[IdentityService],
    ) -> UserOut:
        user = await identity.register(
            data.email, data.password, data.name, client_address=_client_address(request)
        )
        return UserOut.of(user)

    @post(
        "/login",
        summary="Exchange email and password for an access and a refresh token",
        status_code=200,
        responses=problem_responses(400, 401, 413, 429),
    )
    async def login(
        self,
        data: JSONBody[LoginRequest],
        request: Request[Any, Any, Any],
        identity: FromDishka[IdentityService],
    ) -> TokenPairOut:
        try:
            pair = await identity.login(
                data.email, data.password, client_address=_client_address(request)
            )
        except (AuthenticationFailed, RateLimited) as exc:
            # Never the email or the password: the code says enough for operators.
            log.info("login_refused", code=exc.code)
            raise
        log.info("login_succeeded")
        return _pair(pair)

    @post(
        "/refresh",
        summary="Rotate a refresh token (single use; reuse revokes its whole family)",
        status_code=200,
        responses=problem_responses(400, 401, 413),
    )
    async def refresh(
        self, data: JSONBody[RefreshRequest], identity: FromDishka[IdentityService]
    ) -> TokenPairOut:
        try:
            pair = await identity.refresh(data.refresh_token)
        except AuthenticationFailed as exc:
            log.info("refresh_refused", code=exc.code)
            raise
        log.info("refresh_succeeded")
        return _pair(pair)

    @post(
        "/logout",
        summary="Revoke the session of a refresh token",
        status_code=204,
        responses=problem_responses(400, 401, 413),
        security=[{"BearerToken": []}],
    )
    async def logout(
        self,
        data: JSONBody[LogoutRequest],
        principal: FromDishka[Principal],
        identity: FromDishka[IdentityService],
    ) -> None:
        await identity.logout(principal, data.refresh_token)


class MeController(Controller):
    path = "/v1/me"
    tags = ["auth"]
    security = [{"BearerToken": []}]

    @get(
        "",
        summary="The caller's profile and merchant memberships",
        responses=problem_responses(401, 404),
    )
    async def me(
        self, principal: FromDishka[Principal], identity: FromDishka[IdentityService]
    ) -> MeOut:
        profile = await identity.me(principal)
        return MeOut.of(profile.user, profile.merchants)


class AdminUsersController(Controller):
    path = "/v1/admin/users"
    tags = ["admin"]
    guards = [admin_only]
    security = [{"BearerToken": []}]

    @get("", summary="List users (admin)", responses=problem_responses(400, 401, 403))
    async def list_users(
        self,
        principal: FromDishka[Principal],
        identity: FromDishka[IdentityService],
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> UserPageOut:
        page = await identity.list_users(principal, after=decode_cursor(cursor, "usr"), limit=limit)
        return UserPageOut(
            items=[UserAdminOut.of(u) for u in page.items],
            next_cursor=encode_cursor(page.next_after),
        )

    @post(
        "/{user_id:str}/roles",
        summary="Replace a user's platform roles (admin)",
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 413),
    )
    async def set_roles(
        self,
        user_id: FromPath[str],
        data: JSONBody[RolesRequest],
        principal: FromDishka[Principal],
        identity: FromDishka[IdentityService],
    ) -> UserAdminOut:
        return UserAdminOut.of(await identity.set_roles(principal, user_id, data.roles))


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            errors=[FieldError("since", "must be an RFC 3339 timestamp with a zone")]
        )
    return parsed


class AdminAuditController(Controller):
    path = "/v1/admin/audit"
    tags = ["admin"]
    guards = [admin_only]
    security = [{"BearerToken": []}]

    @get(
        "",
        summary="The audit trail, newest first (admin)",
        responses=problem_responses(400, 401, 403),
    )
    async def audit(
        self,
        principal: FromDishka[Principal],
        trail: FromDishka[AuditTrail],
        actor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        action: Annotated[str | None, QueryParameter(max_length=100)] = None,
        since: Annotated[str | None, QueryParameter(max_length=40)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> AuditPageOut:
        page = await trail.page(
            principal,
            actor_id=actor or None,
            action=action or None,
            since=_since(since),
            before=decode_cursor(cursor, "aud"),
            limit=limit,
        )
        return AuditPageOut(
            items=[AuditEventOut.of(e) for e in page.items],
            next_cursor=encode_cursor(page.next_before),
        )
