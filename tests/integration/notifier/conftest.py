from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from services.notifier.service import SPEC as NOTIFIER
from services.notifier.settings import NotifierSettings
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.notifier.stand_ins import (
    PROVIDER_SECRET,
    Mailbox,
    Provider,
    provider_server,
    smtp_server,
)
from tests.support.runtime import running

# 11:00 in Shanghai: outside quiet hours.
START = datetime(2027, 3, 1, 3, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailbox(smtp) -> Mailbox:
    return smtp[0]


@pytest.fixture
def provider() -> Iterator[Provider]:
    with provider_server() as server:
        yield server


@pytest.fixture
def settings(smtp, provider) -> NotifierSettings:
    """Email to the test's SMTP server, SMS to the test's provider; the runtime's own
    delivery loop idle (the tests run the job at the moments they choose)."""
    return NotifierSettings(
        smtp_host="127.0.0.1", smtp_port=smtp[1], sms_provider_url=provider.url,
        provider_secret=SecretStr(PROVIDER_SECRET), link_secret=SecretStr("link-test-secret"),
        public_base_url="http://notifier.test", max_attempts=3, retry_base_seconds=60,
        send_timeout_seconds=5, delivery_interval_seconds=3600)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def transport() -> BusTransport:
    return BusTransport()


@pytest.fixture
async def notifier(bus_platform, clock, transport, settings) -> AsyncIterator[ServiceRuntime]:
    async with running(NOTIFIER, bus_platform, transport, clock=clock, settings=settings) as runtime:
        yield runtime


@pytest.fixture
async def client(notifier: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                 base_url="http://notifier.test") as http:
        yield http
