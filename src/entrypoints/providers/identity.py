"""Identity and security: users, password hashing, refresh tokens, rate limits, audit reads."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.security.passwords import Argon2PasswordHasher
from adapters.sql.audit import SqlAuditLog
from adapters.sql.rate_limits import SqlRateLimitStore
from adapters.sql.refresh_tokens import SqlRefreshTokenStore
from adapters.sql.users import SqlUserRepository
from core.domain.rate_limits import RateLimit, RateLimitPolicy
from core.services.audit_trail import AuditTrail
from core.services.identity import IdentityService
from core.services.rate_limiting import RateLimiter
from entrypoints.settings import Settings
from ports.audit import AuditLog, AuditQuery
from ports.clock import Clock
from ports.directory import Memberships
from ports.ids import IdGenerator
from ports.passwords import PasswordHasher
from ports.rate_limits import RateLimitStore
from ports.refresh_tokens import RefreshTokenStore
from ports.security import AccessTokens
from ports.users import UserRepository

__all__ = ["IdentityProvider", "rate_limit_policy"]


def rate_limit_policy(settings: Settings) -> RateLimitPolicy:
    return RateLimitPolicy(
        login_per_account=RateLimit(*settings.rate_login_per_account),
        login_per_address=RateLimit(*settings.rate_login_per_address),
        register_per_address=RateLimit(*settings.rate_register_per_address),
        money_writes_per_principal=RateLimit(*settings.rate_money_writes),
    )


class IdentityProvider(Provider):
    scope = Scope.APP

    users = provide(SqlUserRepository, provides=UserRepository)
    refresh_tokens = provide(SqlRefreshTokenStore, provides=RefreshTokenStore)
    rate_limit_store = provide(SqlRateLimitStore, provides=RateLimitStore)
    audit_query = provide(SqlAuditLog, provides=AuditQuery)
    audit_trail = provide(AuditTrail)

    @provide
    def password_hasher(self) -> PasswordHasher:
        # OWASP parameters; tests swap in cheaper argon2id parameters through the container.
        return Argon2PasswordHasher()

    @provide
    def policy(self, settings: Settings) -> RateLimitPolicy:
        return rate_limit_policy(settings)

    rate_limiter = provide(RateLimiter)

    @provide
    async def identity(
        self,
        settings: Settings,
        users: UserRepository,
        hasher: PasswordHasher,
        access_tokens: AccessTokens,
        refresh_tokens: RefreshTokenStore,
        memberships: Memberships,
        audit: AuditLog,
        limiter: RateLimiter,
        clock: Clock,
        ids: IdGenerator,
    ) -> IdentityService:
        service = IdentityService(
            users=users,
            hasher=hasher,
            access_tokens=access_tokens,
            refresh_tokens=refresh_tokens,
            memberships=memberships,
            audit=audit,
            limiter=limiter,
            clock=clock,
            ids=ids,
            refresh_ttl_seconds=settings.refresh_token_ttl,
        )
        await service.warm_up()
        return service
