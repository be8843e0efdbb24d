"""A points campaign's budget (in points) is never exceeded, however many qualifying
purchases race for it, and a per-member limit caps how often one member benefits from a
points or a bonus campaign: conditional UPDATEs, on real PostgreSQL, each purchase in its
own concurrent transaction."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from services.rewards.store import offers
from services.rewards.store.purchases import apply_purchases
from shared.clock import FrozenClock
from shared.events.rewards import PointsEarned
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import apply, purchase, recharge
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(START)) as runtime:
        yield runtime


async def points_campaign(rewards: ServiceRuntime, offer_id: str, **terms: int) -> None:
    async with rewards.context.uow() as uow:
        await offers.add_version(uow.connection, {
            "offer_id": offer_id, "kind": "campaign", "name": offer_id, "currency": "CNY",
            "terms": json.dumps({"points_bps": 20_000, **terms}),
            "effective_from": START - timedelta(hours=1), "effective_to": None,
            "created_by": "test", "created_at": START})


async def earn(rewards: ServiceRuntime, event) -> list[PointsEarned]:
    """One purchase applied in its own transaction, as a consumer batch of one."""
    async with rewards.context.uow() as uow:
        await apply_purchases([event], uow, rewards.settings)
        return [e for e in uow.pending if isinstance(e, PointsEarned)]


def at_start(event):
    return event.model_copy(update={"occurred_at": START})


async def test_200_concurrent_purchases_never_exceed_a_points_budget(rewards):
    await points_campaign(rewards, "double_points_capped", points_budget=10_000)
    # each purchase earns 123 points, and the campaign would add 123 more
    purchases = [at_start(purchase(f"m_race_{n:03}", 12_345)) for n in range(200)]

    results = await asyncio.gather(*(earn(rewards, p) for p in purchases))

    points = [earned.points for [earned] in results]
    doubled = points.count(246)
    assert doubled == 10_000 // 123 == 81
    assert points.count(123) == 200 - doubled
    [budget] = await fetch_all(rewards.platform.database_url,
                               "SELECT budget, spent FROM rewards.campaign_points_budgets "
                               "WHERE offer_id = 'double_points_capped'")
    assert (budget["budget"], budget["spent"]) == (10_000, 81 * 123)


async def test_a_member_benefits_at_most_max_per_member_times(rewards):
    await points_campaign(rewards, "double_twice", max_per_member=2)
    points = [earned.points for n in range(3)
              for [earned] in [await earn(rewards, at_start(purchase("m_limited", 12_345)))]]
    [other] = await earn(rewards, at_start(purchase("m_other", 12_345)))

    assert points == [246, 246, 123]
    assert other.points == 246  # the limit is per member


async def test_a_bonus_campaign_pays_a_member_at_most_max_per_member_times(rewards):
    async with rewards.context.uow() as uow:
        await offers.add_version(uow.connection, {
            "offer_id": "double_bonus_once", "kind": "campaign", "name": "Once", "currency": "CNY",
            "terms": json.dumps({"bonus_bps": 20_000, "max_per_member": 1}),
            "effective_from": START - timedelta(hours=1), "effective_to": None,
            "created_by": "test", "created_at": START})
    recharges = [recharge("m_once", 50_000).model_copy(
        update={"occurred_at": START + timedelta(hours=n)}) for n in range(2)]
    for event in recharges:
        await apply(rewards, event)

    rows = await fetch_all(rewards.platform.database_url,
                           "SELECT recharge_id, rules FROM rewards.bonus_decisions "
                           "WHERE member_id = 'm_once'")
    campaigns = {r["recharge_id"]: [rule["offer_id"] for rule in json.loads(r["rules"])]
                 for r in rows}
    assert "double_bonus_once" in campaigns[recharges[0].recharge_id]
    assert "double_bonus_once" not in campaigns[recharges[1].recharge_id]
