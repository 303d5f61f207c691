"""Every app built in one process injects each handler once, bound to its own controllers."""

from __future__ import annotations

from pathlib import Path

from litestar.handlers import HTTPRouteHandler

from entrypoints.http.app import create_app
from entrypoints.http.controllers import ROUTES
from tests.conftest import make_settings
from tests.fakes import FakeSystemProvider


def _injected_handlers(tmp_path: Path, name: str) -> list[HTTPRouteHandler]:
    app = create_app(make_settings(f"sqlite:///{tmp_path / name}"), FakeSystemProvider())
    return [
        handler
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if isinstance(handler, HTTPRouteHandler) and hasattr(handler.fn, "__dishka_orig_func__")
    ]


def test_building_more_apps_adds_no_layer_to_any_controller(tmp_path: Path) -> None:
    # dishka's DishkaRouter wraps get_route_handlers again for every app, so building the
    # n-th app in one process re-reads every handler's type hints n times.
    _injected_handlers(tmp_path, "a.db")
    factories = {controller: controller.get_route_handlers for controller in ROUTES}
    for name in ("b.db", "c.db"):
        handlers = _injected_handlers(tmp_path, name)
    assert len(handlers) > 50  # every API route resolves its dependencies through dishka
    assert {c: c.get_route_handlers for c in ROUTES} == factories


def test_each_app_binds_its_handlers_to_its_own_controller_instances(tmp_path: Path) -> None:
    first = {h.handler_name: h.fn for h in _injected_handlers(tmp_path, "a.db")}
    second = {h.handler_name: h.fn for h in _injected_handlers(tmp_path, "b.db")}
    shared = first.keys() & second.keys()
    assert shared
    for name in shared:
        assert first[name].__self__ is not second[name].__self__
        assert first[name].__func__ is second[name].__func__  # injected once, bound twice
