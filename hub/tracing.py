"""OpenTelemetry tracing: one trace per request, exported over OTLP; off (a flag check) unless configured.

    configure(settings)        at start-up: on when HUB_OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT
                               is set (the OTLP exporter is the optional extra `familiehub[otel]`)
    install(exporter)          tests: every span to this exporter, synchronously (e.g. InMemorySpanExporter)
    TracingMiddleware          the server span per HTTP request / WebSocket, continuing an incoming `traceparent`
    GraphQLOperationSpan       a strawberry extension: the operation's span; `extensions.traceId` on its errors
    span(name, **attributes)   a child span where the hub wants one (department call, ...); nothing when off
    inject(headers)            the W3C `traceparent` for an outgoing call (the departments receive it)
    instrument_engine(engine)  a span per SQL statement (operation only)
    current_trace_id()         for log lines (hub.logging)

The hub keeps its own TracerProvider (not OpenTelemetry's process-global one), so a test can install and remove
an exporter. Never put personal data in a span: names are fixed strings, attributes are ids of our own making,
department codes, counts, states and statuses: no CPR numbers, names, query text, variables or SQL parameters.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hub.settings import Settings

_PROPAGATOR = TraceContextTextMapPropagator()
_NULL = contextlib.nullcontext()


class _State:
    provider: TracerProvider | None = None
    tracer: trace.Tracer | None = None


_state = _State()


def enabled() -> bool:
    return _state.tracer is not None


def otlp_endpoint(settings: Settings) -> str | None:
    return settings.otel_exporter_otlp_endpoint or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None


def configure(settings: Settings) -> bool:
    """Turn tracing on if an OTLP endpoint is configured (idempotent). Returns whether tracing is on."""
    if enabled():
        return True
    endpoint = otlp_endpoint(settings)
    if endpoint is None:
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:  # configured, but the image lacks the extra: say so rather than trace nothing
        raise RuntimeError(
            "an OTLP endpoint is configured but the OTLP exporter is not installed: pip install 'familiehub[otel]'"
        ) from exc

    # The standard variable names the collector's base URL; the HTTP exporter wants the traces path.
    url = endpoint.rstrip("/")
    if not url.endswith("/v1/traces"):
        url += "/v1/traces"
    _start(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)), settings.otel_service_name)
    return True


def install(
    exporter: SpanExporter, service_name: str = "familiehub", *, batch: bool = False
) -> TracerProvider:
    """Tests: spans go to `exporter` as each ends (`batch`: in the background, as in production). Replaces
    any earlier set-up; undo with `shutdown()`."""
    shutdown()
    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    return _start(processor, service_name)


def _start(processor: Any, service_name: str) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(processor)
    _state.provider = provider
    _state.tracer = provider.get_tracer("familiehub")
    return provider


def shutdown() -> None:
    """Stop (queued spans are exported first); the process's exit does it too."""
    provider, _state.provider, _state.tracer = _state.provider, None, None
    if provider is not None:
        provider.shutdown()


def flush() -> None:
    if _state.provider is not None:
        _state.provider.force_flush()


def current_trace_id() -> str | None:
    if _state.tracer is None:
        return None
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def span(name: str, **attributes: str | int | float | bool) -> contextlib.AbstractContextManager[Any]:
    """A child span of the current one; a shared no-op when tracing is off."""
    tracer = _state.tracer
    if tracer is None:
        return _NULL
    return _child(tracer, name, attributes)


@contextlib.contextmanager
def _child(tracer: trace.Tracer, name: str, attributes: dict[str, Any]) -> Iterator[trace.Span]:
    # The exception's type only: its message and traceback stay out of the trace.
    with tracer.start_as_current_span(
        name, attributes=attributes, record_exception=False, set_status_on_exception=False
    ) as current:
        try:
            yield current
        except BaseException as exc:
            current.set_status(Status(StatusCode.ERROR))
            current.set_attribute("error.type", type(exc).__name__)
            raise


def inject(headers: MutableMapping[str, str]) -> None:
    """Add `traceparent` for the current span to outgoing headers (nothing when off or outside a span)."""
    if _state.tracer is not None:
        _PROPAGATOR.inject(headers)


# -- HTTP server span ---------------------------------------------------------------------------------------


class TracingMiddleware:
    """Pure ASGI: a SERVER span per request, named by the route template (never the raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = _state.tracer
        if tracer is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        carrier = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", [])
            if k in (b"traceparent", b"tracestate")
        }
        parent = _PROPAGATOR.extract(carrier)
        method = scope.get("method", "WS")
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracer.start_as_current_span(
            f"{method} request",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.method": method},
            record_exception=False,
        ) as current:
            try:
                await self.app(scope, receive, send_status)
            finally:
                route = getattr(scope.get("route"), "path", None) or "unmatched"
                current.update_name(f"{method} {route}")
                current.set_attribute("http.route", route)
                if scope["type"] == "http":
                    current.set_attribute("http.status_code", status)
                    if status >= 500:
                        current.set_status(Status(StatusCode.ERROR))


# -- GraphQL operation span ---------------------------------------------------------------------------------


class GraphQLOperationSpan(SchemaExtension):
    """The operation's span (type and name, never the document or variables); `extensions.traceId` on every
    error of the result. Listed first among the schema's extensions, so it sees the errors others add."""

    def on_operation(self) -> Iterator[None]:
        tracer = _state.tracer
        if tracer is None:
            yield
            return
        current = tracer.start_span("graphql operation", kind=SpanKind.INTERNAL)
        token = otel_context.attach(trace.set_span_in_context(current))
        try:
            yield
        finally:
            ctx = self.execution_context
            with contextlib.suppress(Exception):  # an unparsable document has no operation type
                current.set_attribute("graphql.operation.type", ctx.operation_type.value)
            if ctx.operation_name:
                current.set_attribute("graphql.operation.name", ctx.operation_name[:100])
                current.update_name(f"graphql {ctx.operation_type.value} {ctx.operation_name[:100]}")
            errors = list(getattr(ctx.result, "errors", None) or [])
            if errors:
                current.set_attribute("graphql.errors", len(errors))
                trace_id = format(current.get_span_context().trace_id, "032x")
                for error in errors:
                    if error.extensions is None:
                        error.extensions = {}
                    error.extensions["traceId"] = trace_id
            otel_context.detach(token)
            current.end()


# -- SQL ----------------------------------------------------------------------------------------------------


_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})


def _operation(statement: str) -> str:
    head = statement.lstrip()[:16].split(None, 1)
    return head[0].upper() if head else "SQL"


def instrument_engine(engine: AsyncEngine) -> None:
    """A CLIENT span per statement: the operation keyword only (SQL parameters may hold personal data)."""
    from sqlalchemy import event

    if _state.tracer is None:
        return
    sync_engine = engine.sync_engine
    system = sync_engine.dialect.name

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        tracer = _state.tracer  # looked up per statement: tracing can be turned off (and on) at run time
        if tracer is None:
            return
        operation = _operation(statement)
        if operation in _TRANSACTION_CONTROL:  # SQLite's emulated BEGIN etc.: no span, they cost as much
            return
        current = tracer.start_span(
            f"db {operation}",
            kind=SpanKind.CLIENT,
            attributes={"db.system": system, "db.operation": operation},
        )
        conn.info.setdefault("_familiehub_spans", []).append(current)

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        spans = conn.info.get("_familiehub_spans")
        if spans and _operation(statement) not in _TRANSACTION_CONTROL:
            spans.pop().end()

    def failed(exception_context: Any) -> None:
        conn = exception_context.connection
        spans = conn.info.get("_familiehub_spans") if conn is not None else None
        if spans:
            current = spans.pop()
            current.set_status(Status(StatusCode.ERROR))
            current.end()

    event.listen(sync_engine, "before_cursor_execute", before)
    event.listen(sync_engine, "after_cursor_execute", after)
    event.listen(sync_engine, "handle_error", failed)
