"""A TCP forwarder a test can cut, restore and slow down, to play a dependency going away
and coming back on the same address (connections in flight are dropped, new ones refused)
or answering late (every forwarded chunk waits `delay` seconds)."""

from __future__ import annotations

import asyncio
import contextlib

from patronage.local import free_port  # outside the ephemeral range: see its docstring


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, port: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self.delay = 0.0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen (again, after a cut) on the same port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port,
                                                  reuse_address=True)

    async def cut(self) -> None:
        """Stop listening and drop every forwarded connection."""
        assert self._server is not None
        self._server.close()
        self.drop_connections()
        await self._server.wait_closed()
        self._server = None

    def drop_connections(self) -> None:
        """Abort every forwarded connection but keep listening: clients see a reset."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def stop(self) -> None:
        if self._server is not None:
            await self.cut()

    async def _serve(self, client_reader: asyncio.StreamReader,
                     client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers |= {client_writer, server_writer}
        await asyncio.gather(self._pipe(client_reader, server_writer),
                             self._pipe(server_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self._writers.discard(writer)
