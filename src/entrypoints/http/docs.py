"""OpenAPI document and a docs page that works offline (Swagger UI served by the service).

The Swagger UI files are vendored in ``swagger_ui/`` (npm's ``swagger-ui-dist`` 5.x, the first
major version that renders OpenAPI 3.1; see its README for the version and how to upgrade).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin, get_type_hints

import msgspec
from litestar import Litestar
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, Operation, Parameter, Schema, SecurityScheme
from litestar.openapi.spec.enums import OpenAPIType
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition

from core.domain.identity import Principal
from core.domain.maintenance import is_write_blocked_by_maintenance
from entrypoints.http.errors import problem_responses

__all__ = [
    "ASSETS_PATH",
    "BEARER",
    "DocumentedOperation",
    "OptionalBodyOperation",
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
        struct = field_definition.type_
        if struct.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
            for field in msgspec.structs.fields(struct):
                prop = (schema.properties or {}).get(field.encode_name)
                if isinstance(prop, Schema) and _holds(field.type, Decimal):
                    _accept_numbers(prop)
        return schema


def _holds(annotation: Any, wanted: type) -> bool:
    if annotation is wanted:
        return True
    return any(_holds(arg, wanted) for arg in get_args(annotation))


def _accept_numbers(schema: Schema) -> None:
    """A request decimal is a decimal string or a JSON number (API.md "Calculations")."""
    if schema.type == OpenAPIType.STRING and not (schema.format or schema.enum):
        schema.type = None
        schema.one_of = [Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NUMBER)]
        return
    for child in (*(schema.one_of or ()), *(schema.any_of or ()), schema.items):
        if isinstance(child, Schema):
            _accept_numbers(child)


IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass
class DocumentedOperation(Operation):
    """An operation whose document states what the edge enforces beyond Litestar's inference.

    ``Idempotency-Key`` is typed optional in handlers so a missing key reaches the service and
    is answered with the contract's 400 ``idempotency_key_missing`` (not Litestar's generic
    ``validation_failed``); the document still says what API.md says: required, 1-255
    printable ASCII characters.
    """

    def __post_init__(self) -> None:
        for parameter in self.parameters or ():
            if isinstance(parameter, Parameter) and parameter.name == IDEMPOTENCY_HEADER:
                parameter.required = True
                parameter.schema = Schema(
                    type=OpenAPIType.STRING, min_length=1, max_length=255, pattern="^[ -~]+$"
                )


@dataclass
class OptionalBodyOperation(DocumentedOperation):
    """An operation whose JSON body may be omitted (the handler's ``data`` has a default).

    Litestar always documents a request body as required; a client may send none here.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.request_body is not None:
            self.request_body.required = False


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
    the caller's ``Principal`` answers 401 without a valid bearer token; while maintenance mode
    is on, /v1 writes outside admin and auth answer 503 ``maintenance``. Statuses a handler
    declares itself are kept as declared.
    """
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            statuses = [413]
            if any(is_write_blocked_by_maintenance(m, route.path) for m in handler.http_methods):
                statuses.append(503)
            if _takes_input(handler):
                statuses.append(400)
            if _needs_principal(handler):
                statuses.append(401)
                if not _declares_bearer(handler):
                    handler.security = [*(handler.security or ()), {BEARER: []}]
            handler.operation_class = (
                OptionalBodyOperation if _body_is_optional(handler) else DocumentedOperation
            )
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


def _declares_bearer(handler: HTTPRouteHandler) -> bool:
    # Security requirements add up over the layers (a controller may declare the scheme).
    return any(
        BEARER in requirement
        for layer in handler.ownership_layers
        for requirement in (layer.security or ())
    )


def _body_is_optional(handler: HTTPRouteHandler) -> bool:
    data = handler.parsed_fn_signature.parameters.get("data")
    return data is not None and (data.is_optional or data.has_default)


def _needs_principal(handler: HTTPRouteHandler) -> bool:
    original = getattr(handler.fn, "__dishka_orig_func__", None)
    if original is None:
        return False
    return _takes_principal(original)


@functools.cache
def _takes_principal(fn: Callable[..., Any]) -> bool:
    # Handler functions live as long as the process; reading their hints is the costly part.
    hints = get_type_hints(fn, include_extras=True)
    return any(get_origin(h) is Annotated and get_args(h)[0] is Principal for h in hints.values())
