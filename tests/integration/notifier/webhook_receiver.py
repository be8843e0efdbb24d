"""A webhook endpoint inside the test: a Starlette app served by uvicorn on 127.0.0.1 that
keeps every request (path, headers, raw body) and can be told to answer 503, to redirect,
or be stopped
(its port then refuses connections) and started again on the same port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import orjson
import uvicorn
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from patronage.local import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return orjson.loads(self.body)

    def verified_by(self, secret: str) -> dict:
        """The body, if the Standard Webhooks reference library accepts its signature."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    unavailable: bool = False  # answer 503 instead of 204
    moved_to: str | None = None  # answer 302 to this path instead of 204
    received: list[Received] = field(default_factory=list)
    refused: int = 0  # requests answered 503
    _server: uvicorn.Server | None = None
    _task: asyncio.Task | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    async def _receive(self, request: Request) -> Response:
        if self.unavailable:
            self.refused += 1
            return Response(status_code=503)
        self.received.append(Received(request.url.path, dict(request.headers), await request.body()))
        if self.moved_to is not None and request.url.path != self.moved_to:
            return Response(status_code=302, headers={"location": self.url(self.moved_to)})
        return Response(status_code=204)

    async def start(self) -> None:
        app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", access_log=False, log_config=None)
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task  # it could not bind: raise why
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """Close the port: deliveries now get no connection at all."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()
