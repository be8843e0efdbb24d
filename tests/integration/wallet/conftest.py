from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.wallet.service import SPEC as WALLET
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.support.auth import pos_headers
from tests.support.runtime import running


@pytest.fixture
async def wallet(bus_platform) -> AsyncIterator[ServiceRuntime]:
    """The wallet over the in-process bus: these tests are about HTTP and PostgreSQL."""
    async with running(WALLET, bus_platform, BusTransport()) as runtime:
        yield runtime


@pytest.fixture
async def client(wallet: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=wallet.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wallet",
                                 headers=pos_headers("store_1")) as http:
        yield http
