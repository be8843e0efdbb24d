"""Request bodies larger than `PATRONAGE_LIMIT_MAX_BODY_BYTES` are refused while they stream.

A Content-Length over the limit is answered at once, before a byte of the body is read; a
body without one (chunked), or longer than its Content-Length said, is counted as it
arrives and cut at the limit. Either way the client gets 413 problem+json `body_too_large`,
whatever the route would have answered to the partial body (a 400, a 422), and the route
never sees more than the limit. Before this, a body of any size was read into memory.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import PROBLEM_JSON


class BodyTooLarge(Exception):
    """Raised into the app by `receive` once the body passes the limit."""


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received, cut, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    cut = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut:
                return  # the app's answer to a cut body (a 400, a 500) is not the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not cut:
                raise
        if cut and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = orjson.dumps({
            "type": "https://patronage.dev/problems/body_too_large", "title": "Body too large",
            "status": 413, "code": "body_too_large",
            "detail": f"The request body is larger than {self.max_bytes} bytes.",
            "instance": scope.get("path", ""), "max_bytes": self.max_bytes,
        })
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0
