"""The five services running in process on one bus, with the console's API client pointed
at their apps: what the setup and dashboard pages call, on the test's PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import httpx

from services.console.platform_apis import PlatformApis
from services.notifier.service import SPEC as NOTIFIER
from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.transport import BusTransport
from tests.support.runtime import running

SPECS = {"wallet": WALLET, "tiering": TIERING, "rewards": REWARDS, "referral": REFERRAL,
         "notifier": NOTIFIER}


@asynccontextmanager
async def services_behind(console: ServiceRuntime, platform: PlatformSettings,
                          names: tuple[str, ...] = tuple(SPECS)
                          ) -> AsyncIterator[dict[str, ServiceRuntime]]:
    transport = BusTransport()
    async with AsyncExitStack() as stack:
        started = {name: await stack.enter_async_context(running(SPECS[name], platform, transport))
                   for name in names}
        console.app.state.apis = PlatformApis(
            console.settings.service_urls(), platform.jwt_secret, console.context.clock,
            timedelta(minutes=5), 10.0,
            transports={name: httpx.ASGITransport(app=runtime.app)
                        for name, runtime in started.items()})
        yield started
