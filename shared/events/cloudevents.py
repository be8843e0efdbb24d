"""CloudEvents 1.0 over Kafka, binary content mode.

The message value is the event's JSON; the CloudEvents attributes travel as `ce_*` headers
(UTF-8), so a consumer can route or drop a message without parsing its value. The key is
the member id. `ce_correlationid` and `ce_causationid` are extension attributes (the spec
allows only lower-case letters and digits in attribute names, hence no underscore);
`ce_traceparent` and `ce_tracestate` are the distributed-tracing extension's (W3C trace
context of the span that emitted the event: shared/tracing.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC

from shared.events.catalog import UnknownEventType, event_class_for
from shared.events.envelope import Event
from shared.tracing import trace_headers

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = Iterable[tuple[str, bytes | str | None]]


def default_source(producer: str) -> str:
    return f"/patronage/{producer}"


def to_kafka_headers(event: Event, source: str | None = None) -> list[tuple[str, bytes]]:
    return [(name, value.encode()) for name, value in header_attributes(event, source).items()]


def header_attributes(event: Event, source: str | None = None,
                      trace: Mapping[str, str] | None = None) -> dict[str, str]:
    """The headers of `to_kafka_headers` as text (what the outbox stores). `trace`: the
    emitting span's trace headers; by default those of the current span, if any."""
    attributes = {
        "ce_id": str(event.event_id),
        "ce_type": event.ce_type(),
        "ce_source": source or default_source(event.producer_name),
        "ce_specversion": SPEC_VERSION,
        "ce_time": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "ce_subject": event.member_id,
        "content-type": CONTENT_TYPE,
    }
    if event.correlation_id is not None:
        attributes["ce_correlationid"] = str(event.correlation_id)
    if event.causation_id is not None:
        attributes["ce_causationid"] = str(event.causation_id)
    attributes.update(trace_headers() if trace is None else trace)
    return attributes


def header_value(headers: Headers, name: str) -> str | None:
    """The last value of a header (Kafka allows repeats; the last one wins), as text."""
    found: bytes | str | None = None
    for header_name, value in headers:
        if header_name == name:
            found = value
    return found.decode() if isinstance(found, bytes) else found


def event_class_of(headers: Headers) -> type[Event]:
    """The class a message's `ce_type` header names, without reading its value. Raises
    `UnknownEventType` when the header is missing or not in the catalog."""
    ce_type = header_value(headers, "ce_type")
    if ce_type is None:
        raise UnknownEventType("message has no ce_type header")
    return event_class_for(ce_type)


def decode(value: bytes, headers: Headers) -> Event:
    """The event in a message. Raises `UnknownEventType` when `ce_type` is missing or not in
    the catalog and pydantic's `ValidationError` when the value does not fit the class:
    both mean the message will never be readable, so the consumer dead-letters it."""
    return event_class_of(headers).model_validate_json(value)
