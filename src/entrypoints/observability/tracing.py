"""OpenTelemetry tracing, configured only through the standard ``OTEL_*`` variables.

``OTEL_TRACES_EXPORTER``: ``none`` (the default, unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set),
``console`` (one JSON span per line on stderr, SDK only) or ``otlp`` (needs the
``opentelemetry-exporter-otlp`` package, which this build does not ship: ``uv add
opentelemetry-exporter-otlp``). The SDK itself reads ``OTEL_SERVICE_NAME``,
``OTEL_RESOURCE_ATTRIBUTES`` and the ``OTEL_EXPORTER_OTLP_*`` endpoint and header variables.
With no exporter, tracing is off: no spans are created and requests pay nothing for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable, MutableMapping
from typing import TYPE_CHECKING, Any

import attrs
import structlog
from opentelemetry.context import Context
from opentelemetry.trace import Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:  # the SDK is imported only when tracing is on (it costs start-up time)
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = [
    "Tracing",
    "build_tracing",
    "extract_asgi_context",
    "inject_headers",
    "otlp_exporter_available",
]

TRACER_NAME = "fintech"
log = structlog.get_logger("fintech.tracing")
_W3C = TraceContextTextMapPropagator()
_OTLP_MODULES = (
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
)


@attrs.frozen
class Tracing:
    """The app's tracer provider and tracer; both None when tracing is off."""

    provider: TracerProvider | None = None

    @property
    def tracer(self) -> Tracer | None:
        return None if self.provider is None else self.provider.get_tracer(TRACER_NAME)

    def shutdown(self) -> None:
        if self.provider is not None:
            self.provider.shutdown()

    @classmethod
    def with_exporter(cls, exporter: SpanExporter, *, batch: bool = True) -> Tracing:
        """Tracing that sends every span to ``exporter`` (tests pass an in-memory one)."""
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        provider = TracerProvider(resource=_resource())
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        return cls(provider)


def _resource() -> Resource:
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    resource = Resource.create()
    name = str(resource.attributes.get(SERVICE_NAME, ""))
    if not name or name.startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: "fintech"}))
    return resource


def otlp_exporter_available() -> bool:
    """Whether the ``opentelemetry-exporter-otlp`` package is installed."""
    for module_name in _OTLP_MODULES:
        try:
            if importlib.util.find_spec(module_name) is not None:
                return True
        except ModuleNotFoundError:
            continue
    return False


def _otlp_exporter() -> SpanExporter | None:
    for module_name in _OTLP_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        exporter: SpanExporter = module.OTLPSpanExporter()
        return exporter
    return None


def build_tracing(exporter: str) -> Tracing:
    """Tracing for the exporter the settings picked (``none``, ``console`` or ``otlp``).

    A missing OTLP package does not stop the service (traces are not worth an outage): it
    logs an error once and runs without traces; ``fintech doctor`` reports it as a failure.
    """
    if exporter == "none":
        return Tracing()
    if exporter == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        # One JSON object per line on stderr, beside the logs: stdout stays clean for the
        # CLI's --json output, and the log stream stays parseable line by line.
        return Tracing.with_exporter(
            ConsoleSpanExporter(out=sys.stderr, formatter=lambda span: span.to_json(None) + "\n")
        )
    otlp = _otlp_exporter()
    if otlp is None:
        log.error(
            "traces_exporter_unavailable",
            exporter="otlp",
            hint="add the opentelemetry-exporter-otlp package (uv add opentelemetry-exporter-otlp)",
        )
        return Tracing()
    return Tracing.with_exporter(otlp)


class _AsgiHeaders:
    """W3C getter over raw ASGI headers (lower-case byte names)."""

    def get(self, carrier: Iterable[tuple[bytes, bytes]], key: str) -> list[str] | None:
        wanted = key.encode("latin-1")
        found = [v.decode("latin-1") for k, v in carrier if k == wanted]
        return found or None

    def keys(self, carrier: Iterable[tuple[bytes, bytes]]) -> list[str]:
        return [k.decode("latin-1") for k, _ in carrier]


_ASGI_GETTER = _AsgiHeaders()


def extract_asgi_context(headers: Iterable[tuple[bytes, bytes]]) -> Context:
    """The caller's trace context from ``traceparent``/``tracestate`` (W3C), if any."""
    return _W3C.extract(list(headers), getter=_ASGI_GETTER)  # type: ignore[arg-type]


def inject_headers(headers: MutableMapping[str, Any], context: Context | None = None) -> None:
    """Write ``traceparent`` (and ``tracestate``) for ``context`` (default: the current one)."""
    _W3C.inject(headers, context=context)
