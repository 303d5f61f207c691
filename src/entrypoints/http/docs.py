"""OpenAPI document and a docs page that works offline (Swagger UI served by the service).

The Swagger UI files are vendored in ``swagger_ui/`` (npm's ``swagger-ui-dist`` 5.x, the first
major version that renders OpenAPI 3.1; see its README for the version and how to upgrade).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router

__all__ = ["ASSETS_PATH", "docs_assets_router", "openapi_config"]

ASSETS_PATH = "/schema/assets"
SWAGGER_UI_DIR = Path(__file__).resolve().parent / "swagger_ui"


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
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
    )


def docs_assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI_DIR],
        include_in_schema=False,
        cache_control=None,
    )
