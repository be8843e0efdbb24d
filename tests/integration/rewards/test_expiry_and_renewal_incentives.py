"""What rewards does on its own: the hourly points expiry sweep, and the renewal coupon on a
membership's expiry reminders (once per term)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from services.rewards.settings import RewardsSettings
from shared.clock import FrozenClock
from shared.events.tiering import MembershipExpiring
from shared.transport import BusTransport
from tests.integration.rewards.conftest import api, apply, purchase
from tests.support.auth import member_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration


async def test_the_service_expires_points_by_itself_once_their_date_passes(bus_platform):
    clock = FrozenClock(datetime(2026, 5, 1, tzinfo=UTC))
    settings = RewardsSettings(points_expiry_every_seconds=0.05)
    async with running(REWARDS, bus_platform, BusTransport(), clock=clock,
                       settings=settings) as rewards, api(rewards) as client:
        await apply(rewards, purchase("m_sweep", total=30_000))

        async def balance() -> int:
            response = await client.get("/v1/members/m_sweep/points",
                                        headers=member_headers("m_sweep"))
            return response.json()["balance"]

        assert await balance() == 300
        clock.set(datetime(2028, 1, 1, tzinfo=UTC))
        await eventually(balance, lambda points: points == 0)
    rows = await fetch_all(bus_platform.database_url,
                           "SELECT ce_type FROM rewards.outbox ORDER BY position")
    assert [r["ce_type"].split(".")[2] for r in rows] == ["PointsEarned", "PointsExpired"]


def reminder(term_id: str, days_left: int) -> MembershipExpiring:
    now = datetime.now(UTC)
    return MembershipExpiring(occurred_at=now, member_id="m_renew", term_id=term_id,
                              term_end=now + timedelta(days=days_left), days_left=days_left)


async def test_a_renewal_coupon_is_issued_once_per_membership_term(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        for event in (reminder("term-1", 30), reminder("term-1", 7), reminder("term-2", 30)):
            await apply(rewards, event)
    coupons = await fetch_all(bus_platform.database_url,
                              "SELECT reason, template_id, value FROM rewards.coupons ORDER BY issued_at")
    assert [(c["reason"], c["template_id"], c["value"]) for c in coupons] == [
        ("renewal:term-1", "renewal_save20", 2_000), ("renewal:term-2", "renewal_save20", 2_000)]
