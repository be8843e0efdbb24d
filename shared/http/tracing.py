"""A span per HTTP request, continuing the caller's W3C `traceparent` (shared/tracing.py), as
a plain ASGI middleware: the events a request emits carry this span as their parent.

With no SDK installed and no `traceparent` on the request there is nothing to record or
pass on, and the request goes straight through (the recharge hot path pays nothing)."""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode

from shared.http.metrics import METHODS
from shared.tracing import TRACER, parent_context, recording


class RequestTracing:
    def __init__(self, app: Any, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        traceparent = tracestate = None
        for name, value in scope["headers"]:
            if name == b"traceparent":
                traceparent = value.decode("latin-1")
            elif name == b"tracestate":
                tracestate = value.decode("latin-1")
        if traceparent is None and not recording():
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in METHODS else "other"
        with TRACER.start_as_current_span(
            method, context=parent_context(traceparent, tracestate), kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "service.component": self.service},
        ) as span:
            status = 500

            async def record_status(message: dict) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, record_status)
            finally:
                if span.is_recording():
                    route = getattr(scope.get("route"), "path", None)
                    if route:
                        span.update_name(f"{method} {route}")
                        span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
