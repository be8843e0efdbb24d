"""Fixtures for tests that speak to every service at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.transport import BusTransport
from tests.support.runtime import running


@pytest.fixture
async def clients(bus_platform) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """All five services over one in-process bus and database; an HTTP client for each."""
    transport, specs = BusTransport(), [WALLET, TIERING, REWARDS, REFERRAL, NOTIFIER]
    runtimes = [running(spec, bus_platform, transport) for spec in specs]
    started = [await runtime.__aenter__() for runtime in runtimes]
    clients = {r.spec.name: httpx.AsyncClient(transport=httpx.ASGITransport(app=r.app),
                                              base_url=f"http://{r.spec.name}")
               for r in started}
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()
        for runtime in reversed(runtimes):
            await runtime.__aexit__(None, None, None)
