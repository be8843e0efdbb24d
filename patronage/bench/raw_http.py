"""A minimal keep-alive HTTP/1.1 client for the load generator.

The bench's load generator shares the machine with what it measures, so what it spends
per request is taken from the services. httpx spent 4 ms of CPU per recharge at 50/s and
12 ms at 200/s (pool bookkeeping, header models, its own timeouts); this sends a request
built in one `bytes` join over a pooled connection and reads the status line, the headers
up to Content-Length and the body, which is all the generator needs. It is no general
client: no chunked bodies, redirects, TLS or proxies (the services answer JSON with a
Content-Length).
"""

from __future__ import annotations

import asyncio


class RawHttpError(Exception):
    """The connection failed or the answer was not one this client reads."""


class RawHttpClient:
    def __init__(self, base_url: str, max_connections: int = 400) -> None:
        host_port = base_url.removeprefix("http://").rstrip("/")
        self._host, _, port = host_port.partition(":")
        self._port = int(port or 80)
        self._host_header = host_port.encode()
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST `body` (JSON) to `path`; the answer's status and body."""
        request = b"".join([
            b"POST ", path.encode(), b" HTTP/1.1\r\nHost: ", self._host_header,
            b"\r\nContent-Type: application/json\r\nContent-Length: ",
            str(len(body)).encode(), b"\r\n",
            *(f"{name}: {value}\r\n".encode() for name, value in headers.items()),
            b"\r\n", body])
        async with self._slots:
            # A pooled connection the server closed while idle (its keep-alive timeout) fails
            # before any answer: sent again once on a new connection. The bench's requests
            # carry Idempotency-Keys, so a repeat is never a second recharge.
            for pooled in (True, False):
                reused = pooled and bool(self._idle)
                try:
                    reader, writer = self._idle.pop() if reused else \
                        await asyncio.open_connection(self._host, self._port)
                except OSError as error:
                    raise RawHttpError(repr(error)) from error
                try:
                    writer.write(request)
                    head = await reader.readuntil(b"\r\n\r\n")
                except (OSError, asyncio.IncompleteReadError) as error:
                    writer.close()
                    if reused and not getattr(error, "partial", b""):
                        continue
                    raise RawHttpError(repr(error)) from error
                except asyncio.LimitOverrunError as error:
                    writer.close()
                    raise RawHttpError(repr(error)) from error
                try:
                    status, length, keep = _parse_head(head)
                    answer = await reader.readexactly(length)
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    writer.close()
                    raise RawHttpError(repr(error)) from error
                if keep:
                    self._idle.append((reader, writer))
                else:
                    writer.close()
                return status, answer
            raise AssertionError("unreachable: the second attempt returns or raises")

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, keep = None, True
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            keep = False
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not read by this client")
    if length is None:
        raise ValueError("the answer has no Content-Length")
    return status, length, keep
