from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.console.service import SPEC as CONSOLE
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.transport import BusTransport
from tests.support.runtime import running


@pytest.fixture
async def console(bus_platform: PlatformSettings) -> AsyncIterator[ServiceRuntime]:
    async with running(CONSOLE, bus_platform, BusTransport()) as runtime:
        yield runtime


@pytest.fixture
async def browser(console: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client of the console over http://localhost (test environment)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=console.app),
                                 base_url="http://localhost") as client:
        yield client
