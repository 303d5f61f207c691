"""Prometheus metrics: one registry per app, a route classifier, and the recording API.

Every app (and every CLI container) gets its own ``CollectorRegistry``, so tests that build
many apps never collide. Metrics are per process: with ``fintech serve --workers N`` each
worker keeps its own counters and a scrape sees one of them (run one worker per container and
scale with replicas; see the README's "Operating the service").

Other areas record through ``ports.metrics.OperationsMetrics`` (injected by dishka), which
``Metrics`` implements: provider calls, idempotent replays and recovery actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

__all__ = [
    "CONTENT_TYPE_LATEST",
    "DEFAULT_ROUTE_RULES",
    "Metrics",
    "RouteRule",
    "classify_route",
    "has_segment",
    "route_classifier",
    "under",
]

RoutePredicate = Callable[[str], bool]
RouteRule = tuple[RoutePredicate, str]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def under(prefix: str) -> RoutePredicate:
    """Matches ``prefix`` itself and every path below it (segment-wise, not by substring)."""
    stem = prefix.rstrip("/")
    return lambda path: path == stem or path.startswith(stem + "/")


def has_segment(*names: str) -> RoutePredicate:
    """Matches any path with one of ``names`` as a whole segment (``…/payments/{id}``)."""
    wanted = frozenset(names)
    return lambda path: not wanted.isdisjoint(path.split("/"))


DEFAULT_ROUTE_RULES: tuple[RouteRule, ...] = (
    (under("/v1/admin"), "admin"),
    (under("/v1/merchants"), "financial"),
    (has_segment("payments", "settlements", "refunds"), "financial"),
)
"""First match wins; anything unmatched is ``public``."""


def route_classifier(rules: Iterable[RouteRule], default: str = "public") -> Callable[[str], str]:
    """One function from a route template (or raw path) to its ``route_class`` label."""
    ordered: Sequence[RouteRule] = tuple(rules)

    def classify(path: str) -> str:
        for predicate, label in ordered:
            if predicate(path):
                return label
        return default

    return classify


classify_route = route_classifier(DEFAULT_ROUTE_RULES)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class Metrics:
    """The service's metrics in one registry; also the ``OperationsMetrics`` port."""

    def __init__(
        self,
        registry: CollectorRegistry | None = None,
        classify: Callable[[str], str] = classify_route,
    ) -> None:
        self.registry = registry or CollectorRegistry()
        self._classify = classify
        r = self.registry
        http_labels = ("method", "route", "status_class", "route_class")
        self.http_requests = Counter(
            "http_server_requests", "HTTP requests served.", http_labels, registry=r
        )
        self.http_duration = Histogram(
            "http_server_request_duration_seconds",
            "Time from the first byte in to the last byte out, by route template.",
            http_labels,
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.sql_duration = Histogram(
            "db_client_operation_duration_seconds",
            "Duration of one SQL statement, by store, operation and outcome.",
            ("db_system", "operation", "outcome"),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.provider_calls = Counter(
            "provider_calls", "Calls to external providers.", ("provider", "operation"), registry=r
        )
        self.provider_errors = Counter(
            "provider_call_errors",
            "Provider calls that failed (transport error or HTTP status >= 400).",
            ("provider", "operation", "error"),
            registry=r,
        )
        self.provider_duration = Histogram(
            "provider_call_duration_seconds",
            "Duration of one provider call.",
            ("provider", "operation"),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.idempotent_replays = Counter(
            "idempotent_replays",
            "Requests answered from a stored idempotent response.",
            ("operation",),
            registry=r,
        )
        self.recovery_actions = Counter(
            "recovery_actions",
            "Actions taken by recovery on workflows left half-way.",
            ("workflow", "action"),
            registry=r,
        )
        self.maintenance = Gauge(
            "service_maintenance_mode",
            "1 while maintenance mode is on (as last seen by this process).",
            registry=r,
        )
        # Labelled children cached per label tuple: ``labels()`` takes a lock and builds a
        # key on every call, which the request path should not pay.
        self._http_children: dict[tuple[str, str, int, str], tuple[Any, Any]] = {}
        self._route_classes: dict[str, str] = {}
        self._sql_children: dict[tuple[str, str, str], Any] = {}

    # -- the HTTP wrapper and the SQL executor -------------------------------------------

    def observe_request(
        self, method: str, route: str, status: int, seconds: float, path: str | None = None
    ) -> None:
        """One served request; ``path`` classifies requests no route matched (refused early)."""
        route_class = self._classify(path) if path is not None else self._class_of(route)
        key = (method, route, status, route_class)
        children = self._http_children.get(key)
        if children is None:
            labels = (method, route, status_class(status), route_class)
            children = (self.http_requests.labels(*labels), self.http_duration.labels(*labels))
            if len(self._http_children) < 10_000:  # bounded even if routes were unbounded
                self._http_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def _class_of(self, route: str) -> str:
        found = self._route_classes.get(route)
        if found is None:
            found = self._route_classes[route] = self._classify(route)
        return found

    def observe_sql(self, system: str, operation: str, outcome: str, seconds: float) -> None:
        key = (system, operation, outcome)
        child = self._sql_children.get(key)
        if child is None:
            child = self._sql_children[key] = self.sql_duration.labels(*key)
        child.observe(seconds)

    def set_maintenance(self, enabled: bool) -> None:
        self.maintenance.set(1 if enabled else 0)

    # -- ports.metrics.OperationsMetrics: what other areas call ----------------------------

    def provider_call(
        self, provider: str, operation: str, seconds: float, error: str | None = None
    ) -> None:
        """One call to an external provider; ``error`` names the failure (None when it worked)."""
        self.provider_calls.labels(provider, operation).inc()
        self.provider_duration.labels(provider, operation).observe(seconds)
        if error is not None:
            self.provider_errors.labels(provider, operation, error).inc()

    def idempotent_replay(self, operation: str) -> None:
        """A request was answered from its idempotency key's stored response."""
        self.idempotent_replays.labels(operation).inc()

    def recovery_action(self, workflow: str, action: str) -> None:
        """Recovery drove a workflow forward or compensated it (``action``: completed, …)."""
        self.recovery_actions.labels(workflow, action).inc()

    # -- exposition ----------------------------------------------------------------------

    def exposition(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)
