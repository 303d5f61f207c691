"""The application factory: ``create_app(settings, *providers)``.

Tests pass fake providers (``override=True``); production calls ``create_app_from_env``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import structlog
from dishka import AsyncContainer, Provider
from dishka.integrations.litestar import LitestarProvider, setup_dishka
from litestar import Litestar, Response, Router
from litestar.enums import MediaType
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import Scope

from adapters.sql.migrator import Migrator
from core.services.maintenance import MaintenanceGate
from core.services.recovery import RecoveryService
from entrypoints.container import create_container
from entrypoints.http.auth import HttpAuthProvider
from entrypoints.http.controllers import ROUTES
from entrypoints.http.cors import cors_config
from entrypoints.http.docs import (
    StrictStructSchemaPlugin,
    docs_assets_router,
    document_edge_responses,
    openapi_config,
)
from entrypoints.http.errors import exception_handlers
from entrypoints.http.injection import injected
from entrypoints.http.middleware import RequestObserver, wrap_request_context
from entrypoints.http.strict_body import StrictJsonRequest
from entrypoints.jobs.registry import BackgroundJobs
from entrypoints.observability.logging import configure_logging
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings, load_settings
from ports.sql import SqlError

__all__ = [
    "MAX_BODY_BYTES",
    "answer_options_with_every_method",
    "create_app",
    "create_app_from_env",
]

MAX_BODY_BYTES = 1024 * 1024
log = structlog.get_logger("fintech.app")


def create_app(settings: Settings, *providers: Provider) -> Litestar:
    """Build the Litestar app and its container; ``providers`` override the defaults."""
    container = create_container(settings, LitestarProvider(), HttpAuthProvider(), *providers)
    observer = RequestObserver()
    jobs = BackgroundJobs(container, settings)  # scheduled jobs: started after migrations

    async def on_startup(app: Litestar) -> None:
        observer.metrics = await container.get(Metrics)
        observer.tracer = (await container.get(Tracing)).tracer
        observer.gate = await container.get(MaintenanceGate)
        if settings.secret_key_ephemeral:
            log.warning(
                "ephemeral_secret_key", hint="set FINTECH_SECRET_KEY; tokens die on restart"
            )
        if settings.encryption_keys_ephemeral:
            log.warning("ephemeral_encryption_keys", hint="set FINTECH_ENCRYPTION_KEYS")
        if settings.auto_migrate:
            migrator = await container.get(Migrator)
            applied = await migrator.migrate()
            if applied:
                log.info("migrations_applied", versions=[m.version for m in applied])
        await recover_on_startup(container)

    async def on_shutdown(app: Litestar) -> None:
        await container.close()

    app = Litestar(
        route_handlers=[Router("", route_handlers=injected(ROUTES)), docs_assets_router()],
        exception_handlers=exception_handlers,
        on_startup=[on_startup, jobs.start],
        on_shutdown=[jobs.stop, on_shutdown],
        openapi_config=openapi_config(),
        plugins=[StrictStructSchemaPlugin()],
        request_max_body_size=MAX_BODY_BYTES,
        request_class=StrictJsonRequest,
        cors_config=cors_config(settings.cors_origins),
        # Logging is configured once by configure_logging (JSON or console); Litestar's default
        # config would replace the root handler with its own plain-text format.
        logging_config=None,
        debug=False,
    )
    app.state.settings = settings
    document_edge_responses(app)
    answer_options_with_every_method(app)
    setup_dishka(container, app)
    app.asgi_handler = wrap_request_context(
        app.asgi_handler,
        max_body_bytes=MAX_BODY_BYTES,
        observer=observer,
        trusted_proxies=settings.trusted_proxies,
    )
    return app


async def recover_on_startup(container: AsyncContainer) -> None:
    """Finish or compensate workflows a crash left half-way (once the schema is current)."""
    migrator = await container.get(Migrator)
    try:
        if await migrator.pending():
            return
        report = await (await container.get(RecoveryService)).run()
    except SqlError as exc:
        log.warning("startup_recovery_skipped", error_type=type(exc).__name__)
        return
    if report.actions:
        log.info("startup_recovery", actions=len(report.actions))


def answer_options_with_every_method(app: Litestar) -> None:
    """Make the automatic ``OPTIONS`` answer list every method its path serves.

    Litestar 2.25 builds a path's route again for each handler it registers there and keeps
    the first route's ``OPTIONS`` handler, whose ``Allow`` names only the methods known at
    that moment: a path with ``GET`` and ``POST`` answered ``Allow: GET, OPTIONS`` (found by
    the schema fuzzer). The handler's function is swapped for one bound to the final route's
    methods, with the same signature (dishka swaps handler functions the same way).
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"} and handler.handler_name == "options_handler":
                handler._fn = _options_answer(", ".join(sorted(route.methods)))


def _options_answer(allow: str) -> Callable[[Scope], Response[None]]:
    def options_handler(scope: Scope) -> Response[None]:
        return Response(
            content=None,
            status_code=HTTP_204_NO_CONTENT,
            headers={"Allow": allow},
            media_type=MediaType.TEXT,
        )

    return options_handler


def create_app_from_env() -> Litestar:
    """Factory for ASGI servers: read the environment, configure logging, build the app."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, final=True)
    app = create_app(settings)
    app.on_startup.append(freeze_startup_heap)
    return app


async def freeze_startup_heap(app: Litestar) -> None:
    """Leave what start-up allocated (modules, routes, the container) out of later collections.

    A full collection walks every tracked object: 60-80 ms here, every second or two under
    load, and every request in flight waits for it (it was the p99 of every route). Frozen
    objects are never collected, so this runs once, in server processes only, after start-up
    (decision 0043).
    """
    gc.collect()
    gc.freeze()
