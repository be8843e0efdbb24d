"""Request metrics as a plain ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware
on the hot path): a latency histogram per service, method, route and status.

Every label has a bounded set of values, whatever clients send: the route is the matched
route's template (`/v1/wallets/{member_id}`, never the path with its ids), `unmatched`
when none matched; a method outside HTTP's usual ones is `other`."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Histogram

REQUEST_SECONDS = Histogram(
    "patronage_http_request_seconds", "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    def __init__(self, app: Any, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def record_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUEST_SECONDS.labels(self.service, method, path, str(status)).observe(
                time.perf_counter() - started
            )
