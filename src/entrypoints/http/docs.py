"""OpenAPI document and a docs page that works offline (Swagger UI served by the service).

The Swagger UI files are vendored in ``swagger_ui/`` (npm's ``swagger-ui-dist`` 5.x, the first
major version that renders OpenAPI 3.1; see its README for the version and how to upgrade).
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args, get_origin, get_type_hints

from litestar import Litestar
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, Schema, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition

from core.domain.identity import Principal
from entrypoints.http.errors import problem_responses

__all__ = [
    "ASSETS_PATH",
    "BEARER",
    "StrictStructSchemaPlugin",
    "docs_assets_router",
    "document_edge_responses",
    "openapi_config",
]

ASSETS_PATH = "/schema/assets"
SWAGGER_UI_DIR = Path(__file__).resolve().parent / "swagger_ui"
BEARER = "BearerToken"

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


def openapi_config() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        path="/",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title="Fintech API",
        version=version("fintech"),
        path="/schema",
        render_plugins=[swagger, JsonRenderPlugin(path="/openapi.json")],
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
    )


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Struct schemas that say ``additionalProperties: false`` when the DTO refuses unknown fields.

    Litestar's own plugin (which this one precedes) leaves extra properties allowed, so the
    document would promise to accept bodies that ``forbid_unknown_fields=True`` answers with 400.
    """

    def to_openapi_schema(
        self,
        field_definition: FieldDefinition,
        schema_creator: SchemaCreator,
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def docs_assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI_DIR],
        include_in_schema=False,
        cache_control=None,
    )


def document_edge_responses(app: Litestar) -> None:
    """Declare, on every operation, the problem answers the edge itself can give.

    Litestar documents its own 400 as a plain JSON error object, but the error mapper answers
    with a problem document; the body limit (413) applies on every path; a handler that takes
    the caller's ``Principal`` answers 401 without a valid bearer token. Statuses a handler
    declares itself are kept as declared.
    """
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            statuses = [413]
            if _takes_input(handler):
                statuses.append(400)
            if _needs_principal(handler):
                statuses.append(401)
                # Controllers and routers may already declare it: look at every layer (not
                # resolve_security, which caches its answer before this edit).
                declared_security = [
                    requirement
                    for layer in handler.ownership_layers
                    for requirement in (getattr(layer, "security", None) or ())
                ]
                if not any(BEARER in requirement for requirement in declared_security):
                    handler.security = [*(handler.security or ()), {BEARER: []}]
            declared = dict(handler.responses or {})
            for status, spec in problem_responses(*statuses).items():
                declared.setdefault(status, spec)
            handler.responses = declared


_NOT_INPUT = frozenset({"self", "request", "state", "scope"})


def _takes_input(handler: HTTPRouteHandler) -> bool:
    # The dishka wrapper's signature holds only what Litestar parses from the request.
    if any("{" in path for path in handler.paths):
        return True
    return any(name not in _NOT_INPUT for name in inspect.signature(handler.fn).parameters)


def _needs_principal(handler: HTTPRouteHandler) -> bool:
    original = getattr(handler.fn, "__dishka_orig_func__", None)
    if original is None:
        return False
    hints = get_type_hints(original, include_extras=True)
    return any(get_origin(h) is Annotated and get_args(h)[0] is Principal for h in hints.values())
