"""Rewards' side of a referral: both sides rewarded as the program version says, once per
referral whatever the event ids; a revocation reverses the points down to zero and voids
the unused coupons, and what was already spent or used is recorded as a loss."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.events.referral import ReferralQualified, ReferralRevoked
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase
from tests.support.auth import member_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration


def qualified(referral_id: str, amount: int) -> ReferralQualified:
    return ReferralQualified(
        occurred_at=datetime.now(UTC), member_id="m_host", referral_id=referral_id,
        referrer_id="m_host", invitee_id="m_guest", qualifying_event_id=uuid.uuid4(),
        qualifying_amount=amount, currency="CNY", qualifying_kind="recharge",
        qualifying_source_id="r-1", program_version=0, referrer_points_bps=1_000,
        referrer_coupon_template="referral_friend_50",
        invitee_coupon_template="referral_friend_50")


async def coupons(client, member_id: str) -> list[dict]:
    shown = await client.get(f"/v1/members/{member_id}/coupons", headers=member_headers(member_id))
    return shown.json()["items"]


async def test_both_sides_once_then_clawback_with_losses_never_a_negative_balance(bus_platform):
    earned = qualified("ref_1", 1_000_000)  # 10 % of 10,000.00 = 1,000 points
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        await apply(rewards, earned)
        await apply(rewards, earned.model_copy(update={"event_id": uuid.uuid4()}))
        [guest_coupon] = await coupons(client, "m_guest")
        [host_coupon] = await coupons(client, "m_host")
        assert (guest_coupon["value"], host_coupon["template_id"]) == (5_000, "referral_friend_50")
        balance = await client.get("/v1/members/m_host/points", headers=member_headers("m_host"))
        assert balance.json()["balance"] == 1_000

        # the guest uses their voucher; the host spends 500 of the 1,000 points
        await apply(rewards, purchase("m_guest", total=6_000,
                                      coupon_codes=(guest_coupon["code"],)))
        spent = await client.post("/v1/members/m_host/points/redemptions",
                                  json={"template_id": "save10_over100"},
                                  headers={**member_headers("m_host"),
                                           "Idempotency-Key": uuid.uuid4().hex})
        assert spent.status_code == 201, spent.text
        revoked = ReferralRevoked(occurred_at=datetime.now(UTC), member_id="m_host",
                                  referral_id="ref_1", reason="qualifying_recharge_refunded",
                                  invitee_id="m_guest")
        await apply(rewards, revoked)
        await apply(rewards, revoked.model_copy(update={"event_id": uuid.uuid4()}))

        after = (await client.get("/v1/members/m_host/points",
                                  headers=member_headers("m_host"))).json()
        [host_after] = [c for c in await coupons(client, "m_host")
                        if c["reason"] == "referral:ref_1"]
        [guest_after] = await coupons(client, "m_guest")

    assert after["balance"] == 0
    assert [(e["kind"], e["points"]) for e in after["entries"]][:1] == [("reverse", -500)]
    assert host_after["voided_at"] is not None
    assert guest_after["voided_at"] is None and guest_after["redeemed_at"] is not None
    rows = await fetch_all(bus_platform.database_url, """
        SELECT member_id, kind, amount, outcome FROM rewards.referral_clawbacks
        WHERE referral_id = 'ref_1'""")
    assert sorted(tuple(r) for r in rows) == [
        ("m_guest", "coupon", 5_000, "loss"), ("m_host", "coupon", 5_000, "voided"),
        ("m_host", "points", 500, "loss"), ("m_host", "points", 500, "reversed")]


async def test_an_event_of_the_first_v1_earns_the_fixed_points_for_the_referrer_only(
        bus_platform):
    legacy = ReferralQualified(
        occurred_at=datetime.now(UTC), member_id="m_old", referral_id="ref_old",
        referrer_id="m_old", invitee_id="m_new", qualifying_event_id=uuid.uuid4(),
        qualifying_amount=100_000, currency="CNY")
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        await apply(rewards, legacy)
        points = (await client.get("/v1/members/m_old/points",
                                   headers=member_headers("m_old"))).json()
        assert await coupons(client, "m_new") == []
    assert points["balance"] == 500
