"""Every request gets an id (the caller's `X-Request-Id` if it sent a sane one), bound to
the structured log context for the request's duration and echoed in the response, so a
POS operator's complaint can be matched to the server's log lines."""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog

SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContext:
    def __init__(self, app: Any, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if SANE_ID.match(sent) else uuid.uuid4().hex

        async def with_request_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id, service=self.service):
            await self.app(scope, receive, with_request_id)
