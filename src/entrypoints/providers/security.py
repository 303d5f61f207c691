"""Access tokens, the audit trail, the event log, users and memberships."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.security.tokens import JwtAccessTokens
from adapters.sql.audit import SqlAuditLog
from adapters.sql.directory import SqlMemberships, SqlUserDirectory
from adapters.sql.events import SqlEventLog
from entrypoints.settings import Settings
from ports.audit import AuditLog
from ports.clock import Clock
from ports.directory import Memberships, UserDirectory
from ports.events import EventLog
from ports.security import AccessTokens

__all__ = ["SecurityProvider"]


class SecurityProvider(Provider):
    scope = Scope.APP

    @provide
    def access_tokens(self, settings: Settings, clock: Clock) -> AccessTokens:
        return JwtAccessTokens(
            key=settings.secret_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl,
            clock=clock,
            previous_keys=settings.previous_secret_keys,
        )

    audit = provide(SqlAuditLog, provides=AuditLog)
    events = provide(SqlEventLog, provides=EventLog)
    users = provide(SqlUserDirectory, provides=UserDirectory)
    memberships = provide(SqlMemberships, provides=Memberships)
