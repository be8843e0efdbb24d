"""The load generator's minimal HTTP client (patronage/bench/raw_http.py): keep-alive
reuse, the request it writes, and a clear error for answers it does not read."""

from __future__ import annotations

import asyncio

import pytest

from patronage.bench.raw_http import RawHttpClient, RawHttpError


async def _server(answer: bytes, seen: list[bytes], connections: list[int]):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            seen.append(head + await reader.readexactly(length))
            writer.write(answer)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_two_posts_share_one_connection_and_read_the_body():
    seen: list[bytes] = []
    connections: list[int] = []
    server = await _server(b"HTTP/1.1 201 Created\r\ncontent-length: 13\r\n"
                           b"content-type: application/json\r\n\r\n{\"id\": \"r-1\"}", seen, connections)
    port = server.sockets[0].getsockname()[1]
    client = RawHttpClient(f"http://127.0.0.1:{port}")
    try:
        first = await client.post("/v1/recharges", b'{"a": 1}', {"Idempotency-Key": "k1"})
        second = await client.post("/v1/recharges", b'{"a": 2}', {"Idempotency-Key": "k2"})
    finally:
        await client.close()
        server.close()
    assert first == second == (201, b'{"id": "r-1"}')
    assert len(connections) == 1
    assert seen[0].startswith(b"POST /v1/recharges HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"Content-Length: 8\r\n" in seen[0] and b"Idempotency-Key: k1\r\n" in seen[0]
    assert seen[1].endswith(b'\r\n\r\n{"a": 2}')


async def test_a_chunked_answer_is_an_error_not_a_wrong_body():
    server = await _server(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n", [], [])
    port = server.sockets[0].getsockname()[1]
    client = RawHttpClient(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(RawHttpError):
            await client.post("/x", b"{}", {})
    finally:
        await client.close()
        server.close()


async def test_a_refused_connection_is_an_error():
    with pytest.raises(RawHttpError):
        await RawHttpClient("http://127.0.0.1:1").post("/x", b"{}", {})


async def test_a_pooled_connection_the_server_closed_is_replaced_once():
    # the server answers once per connection, then closes it without saying so (as a
    # keep-alive timeout does): the second post goes out again on a new connection
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(2)
        writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = RawHttpClient(f"http://127.0.0.1:{port}")
    try:
        assert await client.post("/x", b"{}", {}) == (201, b"ok")
        await asyncio.sleep(0.05)  # the server has closed the pooled connection by now
        assert await client.post("/x", b"{}", {}) == (201, b"ok")
    finally:
        await client.close()
        server.close()
    assert len(connections) == 2
