"""What rewards does on its own: the hourly points expiry sweep, and the coupons it issues
once per occasion (renewal per term, referral per referral, birthday per year, from
tiering's MemberBirthday)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from services.rewards.settings import RewardsSettings
from shared.clock import FrozenClock
from shared.events.referral import ReferralQualified
from shared.events.tiering import MemberBirthday, MembershipExpiring
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase
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


def birthday(member_id: str, celebrated_on: date) -> MemberBirthday:
    return MemberBirthday(occurred_at=datetime.now(UTC), member_id=member_id,
                          celebrated_on=celebrated_on)


async def test_a_birthday_coupon_is_issued_once_a_year_on_tiering_s_event(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards:
        for event in (birthday("m_xmas", date(2026, 12, 25)),
                      birthday("m_xmas", date(2026, 12, 25)),  # sent again: no second coupon
                      birthday("m_xmas", date(2027, 12, 25))):
            await apply(rewards, event)
    rows = await fetch_all(bus_platform.database_url,
                           "SELECT member_id, reason, template_id FROM rewards.coupons "
                           "ORDER BY issued_at")
    assert [(r["member_id"], r["reason"], r["template_id"]) for r in rows] == [
        ("m_xmas", "birthday:2026", "birthday_gift"), ("m_xmas", "birthday:2027", "birthday_gift")]
    tables = await fetch_all(bus_platform.database_url,
                             "SELECT 1 FROM information_schema.tables "
                             "WHERE table_schema = 'rewards' AND table_name = 'member_birthdays'")
    assert tables == []


async def test_a_referral_coupon_is_issued_once_per_referral_when_configured(bus_platform):
    settings = RewardsSettings(referral_coupon_template="save10_over100")
    qualified = ReferralQualified(
        occurred_at=datetime.now(UTC), member_id="m_ref", referral_id="ref-1", referrer_id="m_ref",
        invitee_id="m_new", qualifying_event_id=uuid.uuid4(), qualifying_amount=1, currency="CNY")
    async with running(REWARDS, bus_platform, BusTransport(), settings=settings) as rewards:
        await apply(rewards, qualified)
        await apply(rewards, qualified.model_copy(update={"event_id": uuid.uuid4()}))
    rows = await fetch_all(bus_platform.database_url, "SELECT reason FROM rewards.coupons")
    assert [r["reason"] for r in rows] == ["referral:ref-1"]
