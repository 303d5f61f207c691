"""Controllers whose handlers resolve ``FromDishka[...]`` parameters, wrapped once per process.

dishka's ``DishkaRouter`` replaces ``Controller.get_route_handlers`` with an injecting wrapper
every time it registers the class. Each app built in one process (the test suite, in-process
benchmarks) adds one more layer, so the n-th app injects every handler n times and each of its
requests resolves its dependencies n times. Here each class is wrapped once, and each handler
function is injected once (dishka's own ``inject``, which reads its type hints: the costly
part of building an app) and then bound to each app's controller instance.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from dishka.integrations.litestar import inject
from litestar import Controller
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

__all__ = ["injected"]

_MARK = "_fintech_dishka_injected"
_INJECTED: dict[Callable[..., Any], Callable[..., Any]] = {}


def _inject_once(fn: Callable[..., Any]) -> Callable[..., Any]:
    wrapped = _INJECTED.get(fn)
    if wrapped is None:
        wrapped = _INJECTED[fn] = inject(fn)
    return wrapped


def _injecting(
    get_route_handlers: Callable[[Controller], list[BaseRouteHandler]],
) -> Callable[[Controller], list[BaseRouteHandler]]:
    def route_handlers(self: Controller) -> list[BaseRouteHandler]:
        handlers = get_route_handlers(self)  # fresh copies, each bound to this instance
        for handler in handlers:
            if isinstance(handler, HTTPRouteHandler):
                bound = handler._fn
                if isinstance(bound, types.MethodType):
                    handler._fn = types.MethodType(_inject_once(bound.__func__), bound.__self__)
                else:
                    handler._fn = _inject_once(bound)
        return handlers

    return route_handlers


def injected(controllers: Sequence[type[Controller]]) -> list[type[Controller]]:
    """The controllers, each one's handlers wrapped by dishka's ``inject`` exactly once."""
    for controller in controllers:
        if not controller.__dict__.get(_MARK):
            controller.get_route_handlers = _injecting(  # type: ignore[method-assign]
                controller.get_route_handlers
            )
            setattr(controller, _MARK, True)
    return list(controllers)
