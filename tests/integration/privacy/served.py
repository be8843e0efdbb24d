"""Every service started on Kafka and served over real HTTP on local ports, as in production:
tiering fetches the other services' parts of a data export from their base URLs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from patronage.local import free_port
from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from services.wallet.service import SPEC as WALLET
from shared.clock import TravellingClock
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.transport import KafkaTransport
from tests.support.runtime import eventually, running

OTHERS = (WALLET, REWARDS, REFERRAL, NOTIFIER)


@asynccontextmanager
async def served(runtime: ServiceRuntime) -> AsyncIterator[str]:
    """The runtime's app on a free local port until the block ends; its base URL."""
    port = free_port()
    server = runtime.http_server("127.0.0.1", port)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), bool, timeout=30)
        assert not task.done(), f"{runtime.spec.name} did not start serving on {port}"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def every_service(platform: PlatformSettings, bootstrap: str, tiering_clock: TravellingClock,
                        ) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """All five services on Kafka, each served on a local port; a client for each. Tiering
    runs on `tiering_clock`, so a test can move past an export's expiry."""
    transport = KafkaTransport(bootstrap)
    async with AsyncExitStack() as stack:
        urls = {}
        for spec in OTHERS:
            runtime = await stack.enter_async_context(running(spec, platform, transport))
            urls[spec.name] = await stack.enter_async_context(served(runtime))
        settings = TieringSettings(**{f"{name}_url": url for name, url in urls.items()})
        tiering = await stack.enter_async_context(
            running(TIERING, platform, transport, clock=tiering_clock, settings=settings))
        urls["tiering"] = await stack.enter_async_context(served(tiering))
        clients = {}
        for name, url in urls.items():
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=30))
        yield clients
