from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.support.runtime import running

START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def transport() -> BusTransport:
    return BusTransport()


@pytest.fixture
async def tiering(bus_platform, clock, transport) -> AsyncIterator[ServiceRuntime]:
    """Tiering over the in-process bus on a frozen clock; its own scheduler loop idle."""
    settings = TieringSettings(scheduler_interval_seconds=3600)
    async with running(TIERING, bus_platform, transport, clock=clock, settings=settings) as runtime:
        yield runtime


@pytest.fixture
async def client(tiering: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                                 base_url="http://tiering") as http:
        yield http
