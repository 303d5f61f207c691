"""JWT access tokens (PyJWT): HS256 pinned; iss, aud, exp, iat, sub and jti required."""

from __future__ import annotations

import secrets
from typing import Any

import jwt

from core.domain.errors import AuthenticationFailed
from core.domain.identity import Principal
from ports.clock import Clock
from ports.security import IssuedToken

__all__ = ["ALGORITHM", "VERIFIED_CACHE_SIZE", "JwtAccessTokens"]

ALGORITHM = "HS256"
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "jti"]
VERIFIED_CACHE_SIZE = 1024


class JwtAccessTokens:
    """Signs and verifies access tokens with one pinned algorithm; no algorithm negotiation."""

    def __init__(
        self,
        *,
        key: bytes,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        clock: Clock,
        previous_keys: tuple[bytes, ...] = (),
    ) -> None:
        self._key = key
        # Rotation (ADR 0010): tokens signed with a retired key stay valid until they expire.
        self._verify_keys = (key, *previous_keys)
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds
        self._clock = clock
        # Tokens whose signature and claims already verified, by their exact text: the
        # signature check costs most of an authenticated request (benchmarks.md), and its
        # outcome for a given token and key ring never changes. Only valid tokens (which only
        # these keys can mint) enter, so the cache cannot be filled with garbage; it is
        # cleared when full. Expiry is still checked on every call.
        self._verified: dict[str, tuple[Principal, int, int]] = {}

    def issue(self, principal: Principal) -> IssuedToken:
        now = int(self._clock.now().timestamp())
        jti = secrets.token_hex(16)
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": principal.user_id,
            "iat": now,
            "nbf": now,
            "exp": now + self._ttl,
            "jti": jti,
            "roles": sorted(principal.roles),
        }
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"typ": "JWT"})
        return IssuedToken(token=token, expires_in=self._ttl, token_id=jti)

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is None:
            known = self._check_signature_and_claims(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = known
        principal, expires, issued = known
        # Time is checked on every call, cached or not, against the injected clock.
        now = int(self._clock.now().timestamp())
        if expires <= now:
            raise AuthenticationFailed("Access token expired", code="token_expired")
        if issued > now + 60:
            raise AuthenticationFailed("Invalid access token", code="invalid_token")
        return principal

    def _check_signature_and_claims(self, token: str) -> tuple[Principal, int, int]:
        """Everything about a token that does not depend on the time: done once per token."""
        try:
            decoded = self._decode(token)
        except jwt.PyJWTError:
            raise AuthenticationFailed("Invalid access token", code="invalid_token") from None
        if decoded["header"].get("alg") != ALGORITHM:
            raise AuthenticationFailed("Invalid access token", code="invalid_token")
        claims = decoded["payload"]
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise AuthenticationFailed("Invalid access token", code="invalid_token")
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub:
            raise AuthenticationFailed("Invalid access token", code="invalid_token")
        try:
            expires, issued = int(claims["exp"]), int(claims["iat"])
        except (TypeError, ValueError):
            raise AuthenticationFailed("Invalid access token", code="invalid_token") from None
        principal = Principal(user_id=sub, roles=frozenset(roles), token_id=str(claims["jti"]))
        return principal, expires, issued

    def _decode(self, token: str) -> dict[str, Any]:
        for key in self._verify_keys[:-1]:
            try:
                return self._decode_with(token, key)
            except jwt.InvalidSignatureError:
                continue
        return self._decode_with(token, self._verify_keys[-1])

    def _decode_with(self, token: str, key: bytes) -> dict[str, Any]:
        return jwt.decode_complete(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=self._audience,
            issuer=self._issuer,
            # Time claims are checked by ``verify`` against the injected clock.
            options={
                "require": _REQUIRED,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
