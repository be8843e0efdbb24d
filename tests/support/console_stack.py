"""Every service and the console running in this process over real Kafka and PostgreSQL,
each behind its own uvicorn server on a free port, so a real browser can drive the
console and the console calls the services over HTTP as it does in production."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from services.console.service import SPEC as CONSOLE
from services.console.settings import ConsoleSettings
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.transport import Transport
from tests.support.runtime import eventually, running
from tests.support.services import NOTIFIER, REFERRAL, REWARDS, TIERING, WALLET

SERVICES = (WALLET, TIERING, REWARDS, REFERRAL, NOTIFIER)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    runtimes: dict[str, ServiceRuntime]
    urls: dict[str, str]  # by service name, the console's too


@asynccontextmanager
async def console_stack(platform: PlatformSettings, transport: Transport) -> AsyncIterator[Stack]:
    ports = {spec.name: free_port() for spec in (*SERVICES, CONSOLE)}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    settings = ConsoleSettings(**{f"{name}_url": urls[name] for name in
                                  ("wallet", "tiering", "rewards", "referral", "notifier")})
    async with AsyncExitStack() as stack:
        runtimes: dict[str, ServiceRuntime] = {}
        for spec in SERVICES:
            runtimes[spec.name] = await stack.enter_async_context(
                running(spec, platform, transport))
        runtimes["console"] = await stack.enter_async_context(
            running(CONSOLE, platform, transport, settings=settings))
        servers = [runtime.http_server("127.0.0.1", ports[name])
                   for name, runtime in runtimes.items()]
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        try:
            await eventually(lambda: all(server.started for server in servers), bool, timeout=30)
            yield Stack(runtimes, urls)
        finally:
            for server in servers:
                server.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
