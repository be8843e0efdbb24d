"""Points and coupons end to end on Kafka: a purchase earns points, a refund reverses them,
and a coupon is redeemed once and only once."""

from __future__ import annotations

import uuid

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.events.rewards import CouponIssued, CouponRedeemed, PointsEarned, PointsRedeemed
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import (
    api,
    publish_wallet_events,
    purchase,
    refund,
    rewards_events,
)
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration


async def test_a_purchase_earns_points_and_a_refund_reverses_them_proportionally(platform, kafka):
    topics = Topics(platform.topic_prefix)
    bought = purchase("m_points", total=12_345)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)) as rewards:
        await publish_wallet_events(kafka.bootstrap_servers, topics, bought)
        [earned] = await rewards_events(kafka.bootstrap_servers, topics, 1)
        await publish_wallet_events(kafka.bootstrap_servers, topics, refund(bought, 6_000))
        _, reversed_ = await rewards_events(kafka.bootstrap_servers, topics, 2)
        async with api(rewards) as client:
            points = (await client.get("/v1/members/m_points/points",
                                       headers=member_headers("m_points"))).json()

    assert isinstance(earned, PointsEarned)
    assert (earned.points, earned.reason, earned.balance) == (123, "purchase", 123)
    assert earned.source_event_id == bought.event_id
    assert earned.expires_at is not None and earned.expires_at.year == earned.occurred_at.year + 2
    assert isinstance(reversed_, PointsRedeemed)
    assert (reversed_.points, reversed_.balance) == (123 * 6_000 // 12_345, 123 - 59)
    assert reversed_.reward_reference.startswith("refund:")
    assert points["balance"] == 64
    assert [e["kind"] for e in points["entries"]] == ["reverse", "earn"]


async def test_a_coupon_is_redeemed_once_and_only_once(platform, kafka):
    topics = Topics(platform.topic_prefix)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)) as rewards:
        async with api(rewards) as client:
            issued = await client.post("/v1/coupons", json={
                "member_id": "m_coupon", "template_id": "save10_over100", "reason": "birthday"},
                headers={**ops_headers("ops:config"), "Idempotency-Key": uuid.uuid4().hex})
            code = issued.json()["code"]
            check = {"code": code, "member_id": "m_coupon", "basket_total": 12_000, "currency": "CNY"}
            valid = await client.post("/v1/coupons/validate", json=check, headers=pos_headers())
            first, second = purchase("m_coupon", 12_000, (code,)), purchase("m_coupon", 15_000, (code,))
            await publish_wallet_events(kafka.bootstrap_servers, topics, first, second)
            emitted = await rewards_events(kafka.bootstrap_servers, topics, 4)
            used = await client.post("/v1/coupons/validate", json=check, headers=pos_headers())

    assert issued.status_code == 201
    assert valid.status_code == 200 and (valid.json()["discount"], valid.json()["payable"]) == (
        1_000, 11_000)
    kinds = [type(e).__name__ for e in emitted]
    assert kinds == ["CouponIssued", "CouponRedeemed", "PointsEarned", "PointsEarned"]
    [redeemed] = [e for e in emitted if isinstance(e, CouponRedeemed)]
    [coupon] = [e for e in emitted if isinstance(e, CouponIssued)]
    assert (redeemed.coupon_id, redeemed.purchase_id) == (coupon.coupon_id, first.purchase_id)
    assert used.status_code == 422 and used.json()["code"] == "coupon_already_redeemed"
