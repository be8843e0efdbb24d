"""W3C trace context through the platform (OpenTelemetry): an HTTP request's `traceparent`
continues into the outbox row and the Kafka record's headers, and a consumer's handling
span is the child of the span that emitted the event.

On the wire the context is the CloudEvents distributed-tracing extension: attribute
`traceparent` (and `tracestate` when there is one), in Kafka binary mode the headers
`ce_traceparent` and `ce_tracestate` (shared/events/cloudevents.py writes them).

Exporting is optional. `configure_tracing` installs the OpenTelemetry SDK with an OTLP
exporter only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (extra `otlp`). Without it the API's
no-op tracer still carries the context: a request's `traceparent` is passed on unchanged,
so a trace begun upstream is not cut here, and no span is recorded or allocated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER = trace.get_tracer("patronage")
PROPAGATOR = TraceContextTextMapPropagator()
TRACEPARENT_HEADER, TRACESTATE_HEADER = "ce_traceparent", "ce_tracestate"


def configure_tracing(service: str, otlp_endpoint: str | None) -> bool:
    """Install the SDK with an OTLP exporter if an endpoint is set; True if it did."""
    if not otlp_endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # reads OTEL_* itself
    trace.set_tracer_provider(provider)
    return True


def recording() -> bool:
    """True once an SDK is installed (here or by a test); until then no span is recorded."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def trace_headers(span: Span | None = None) -> dict[str, str]:
    """`ce_traceparent` (and `ce_tracestate`) of `span`, by default the current one; empty
    when there is no valid trace context."""
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier, trace.set_span_in_context(span) if span is not None else None)
    return {f"ce_{name}": value for name, value in carrier.items()}


def parent_context(traceparent: str | None, tracestate: str | None = None) -> Context | None:
    """The context a `traceparent` names, to start a child span in; None without one."""
    if not traceparent:
        return None
    carrier = {"traceparent": traceparent}
    if tracestate:
        carrier["tracestate"] = tracestate
    return PROPAGATOR.extract(carrier)


@contextmanager
def handling(consumer: str, event_type: str, parent: Context | None) -> Iterator[Span]:
    """The current span while one event's handlers run, child of the emitting span."""
    with TRACER.start_as_current_span(
        f"{consumer} process {event_type}", context=parent, kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.consumer.group.name": consumer},
    ) as span:
        yield span


@contextmanager
def handling_batch(consumer: str, event_type: str,
                   parents: Sequence[Context | None]) -> Iterator[list[Span]]:
    """One span per event of a batch handler's call, each the child of its own event's
    emitting span (the batch is handled in one call, so they share its duration)."""
    spans = [TRACER.start_span(
        f"{consumer} process {event_type}", context=parent, kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.consumer.group.name": consumer,
                    "messaging.batch.message_count": len(parents)},
    ) for parent in parents]
    try:
        yield spans
    except BaseException as error:
        for span in spans:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        raise
    finally:
        for span in spans:
            span.end()
