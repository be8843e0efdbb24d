"""Referrals whose window closed are marked expired by the sweep, once, with the reason in
their trail; a spend made within the window that arrives after the sweep still qualifies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.referral.service import SPEC as REFERRAL
from services.referral.settings import ReferralSettings
from services.referral.store.expiry import expire_due
from shared.clock import FrozenClock
from shared.events.envelope import Event
from shared.events.tiering import MemberEnrolled
from shared.events.wallet import RechargeCompleted
from shared.runtime import ServiceRuntime
from shared.service import bind_settings
from shared.transport import BusTransport
from tests.support.auth import member_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


async def apply(runtime: ServiceRuntime, event: Event) -> None:
    """Run referral's handlers for one event in one transaction, as the consumer would."""
    async with runtime.context.uow() as uow:
        for handler in bind_settings(runtime.spec.handlers, runtime.settings)[type(event)]:
            await handler(event, uow)


def enrolled(member_id: str, code: str | None = None) -> MemberEnrolled:
    return MemberEnrolled(occurred_at=START, member_id=member_id, channel="pos",
                          referral_code=code, locale="zh-CN", enrolled_at=START)


def recharged(member_id: str, at: datetime) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=at, member_id=member_id, recharge_id=f"r-{uuid.uuid4().hex[:8]}",
        amount=10_000, currency="CNY", payment_method="card", payment_reference="card-b",
        store_id="store_1", channel="pos", is_first_recharge=True, lifetime_recharged=10_000)


async def test_the_sweep_expires_once_and_a_late_in_window_spend_still_qualifies(bus_platform):
    clock = FrozenClock(START)
    settings = ReferralSettings(expiry_every_seconds=3600)
    async with running(REFERRAL, bus_platform, BusTransport(), clock=clock,
                       settings=settings) as referral, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=referral.app),
                              base_url="http://referral") as app:
        await apply(referral, enrolled("m_a"))
        code = (await app.post("/v1/members/m_a/referral-code",
                               headers=member_headers("m_a"))).json()["code"]
        await apply(referral, enrolled("m_b", code))
        clock.set(START + timedelta(days=30))  # the last moment of the window
        on_time = await expire_due(referral.context.uow, clock.now())
        open_page = (await app.get("/v1/members/m_a/referrals", headers=member_headers("m_a"))).json()
        clock.set(START + timedelta(days=30, seconds=1))
        expired = [await expire_due(referral.context.uow, clock.now(), limit=1) for _ in range(2)]
        closed_page = (await app.get("/v1/members/m_a/referrals", headers=member_headers("m_a"))).json()
        await apply(referral, recharged("m_b", START + timedelta(days=29)))  # delayed event
        trail = await fetch_all(bus_platform.database_url, """
            SELECT d.decision, d.reasons FROM referral.decisions d
            JOIN referral.referrals r USING (referral_id) WHERE r.invitee_id = 'm_b'
            ORDER BY d.decision_id""")

    assert (on_time, expired) == (0, [1, 0])
    assert (open_page["pending"], closed_page["pending"]) == (1, 0)
    assert closed_page["referrals"][0]["status"] == "expired"
    assert [(r["decision"], r["reasons"]) for r in trail] == [
        ("registered", "[]"), ("expired", '["window_closed"]'), ("qualified", "[]")]
