"""The simulation's default program is the one the services start with: rewards' default
offers are seeded by a migration, so the simulation keeps a copy; this reads them back from
a freshly migrated database, as the running service loads them, and fails on any drift."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from patronage.simulate.program import default_program
from services.rewards.service import SPEC as REWARDS
from services.rewards.store import offers
from shared.clock import FrozenClock
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.support.runtime import running

pytestmark = pytest.mark.integration

START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(START)) as runtime:
        yield runtime


async def test_the_simulated_default_offers_are_those_rewards_loads_after_its_migrations(rewards):
    async with rewards.context.uow() as uow:
        loaded = await offers.load_program(uow.connection, "CNY", START)

    simulated = default_program().offers
    assert loaded.ladder == simulated.ladder
    assert loaded.first_recharge == simulated.first_recharge
    assert loaded.cumulative == simulated.cumulative
    assert loaded.campaigns == simulated.campaigns == ()
    assert loaded.tiers.bonus_bps_by_tier == simulated.tiers.bonus_bps_by_tier
    assert loaded.tiers.points_bps_by_tier == simulated.tiers.points_bps_by_tier
