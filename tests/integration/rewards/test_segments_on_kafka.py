"""Campaigns on segments, end to end on Kafka: tiering's events feed rewards' member facts,
the segment follows them, and a campaign targeted at it pays exactly its members, for the
recharge bonus and for points. Birthday-month double points: tiering's MemberBirthday puts
the member in the birthday-month segment, and only they earn double."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from services.rewards.rules.points import points_for_amount
from services.rewards.service import SPEC as REWARDS
from shared.events.cloudevents import to_kafka_headers
from shared.events.envelope import Event
from shared.events.rewards import BonusGranted, PointsEarned
from shared.events.tiering import MemberBirthday, MemberEnrolled, TierChanged
from shared.messaging.kafka_transport import ensure_topics
from shared.tier_benefits import DEFAULT_MULTIPLIERS
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import (
    api,
    publish_wallet_events,
    purchase,
    recharge,
    rewards_events,
)
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, produce_raw, running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")


async def publish_tiering_events(bootstrap: str, topics: Topics, *events: Event) -> None:
    await ensure_topics(bootstrap, [topics.events("tiering")])
    await produce_raw(bootstrap, topics.events("tiering"),
                      [(e.member_id, e.to_json(), list(to_kafka_headers(e))) for e in events])


def enrolled(member_id: str, store_id: str) -> MemberEnrolled:
    now = datetime.now(UTC)
    return MemberEnrolled(occurred_at=now, member_id=member_id, store_id=store_id,
                          channel="pos", locale="zh-CN", enrolled_at=now)


def tier(member_id: str, to_tier: str) -> TierChanged:
    now = datetime.now(UTC)
    return TierChanged(occurred_at=now, member_id=member_id, from_tier="regular", to_tier=to_tier,
                       direction="up", reason="qualifying spend reached",
                       qualifying_amount=500_000, currency="CNY", effective_at=now)


async def segment_count(client, segment_id: str) -> int:
    return (await client.get(f"/v1/segments/{segment_id}/preview", headers=CONFIG)).json()["count"]


async def campaign(client, offer_id: str, terms: dict) -> None:
    created = await client.post(f"/v1/offers/{offer_id}/versions", headers=CONFIG, json={
        "kind": "campaign", "name": offer_id, "currency": "CNY", "terms": terms})
    assert created.status_code == 201, created.text


async def test_a_campaign_for_gold_members_of_store_2_pays_exactly_them(platform, kafka):
    topics, bootstrap = Topics(platform.topic_prefix), kafka.bootstrap_servers
    members = {"m_gold_s2": ("gold", "store_2"), "m_gold_s1": ("gold", "store_1"),
               "m_silver_s2": ("silver", "store_2")}

    async with running(REWARDS, platform, KafkaTransport(bootstrap)) as rewards:
        async with api(rewards) as client:
            created = await client.post("/v1/segments/gold_store_2/versions", headers=CONFIG, json={
                "name": "Gold members of store 2", "rule": {"all": [
                    {"fact": "tier", "op": "eq", "value": "gold"},
                    {"fact": "home_store", "op": "eq", "value": "store_2"}]}})
            assert created.status_code == 201, created.text
            await publish_tiering_events(bootstrap, topics, *[
                event for member, (to_tier, store) in members.items()
                for event in (enrolled(member, store), tier(member, to_tier))])
            await eventually(lambda: segment_count(client, "gold_store_2"), lambda n: n == 1)
            preview = (await client.get("/v1/segments/gold_store_2/preview", headers=CONFIG)).json()
            await campaign(client, "gold_store_2_double", {
                "bonus_bps": 20_000, "points_bps": 20_000, "segment_ids": ["gold_store_2"]})
            await publish_wallet_events(bootstrap, topics, *[
                e for member in members for e in (recharge(member, 50_000), purchase(member, 10_000))])
            emitted = await rewards_events(bootstrap, topics, 6)

    assert preview["sample"] == ["m_gold_s2"]
    bonuses = {e.member_id: e for e in emitted if isinstance(e, BonusGranted)}
    earned = {e.member_id: e.points for e in emitted if isinstance(e, PointsEarned)}
    assert set(bonuses) == set(earned) == set(members)
    assert [r.id for r in bonuses["m_gold_s2"].rules][-1] == "gold_store_2_double"
    for other in ("m_gold_s1", "m_silver_s2"):
        assert "gold_store_2_double" not in [r.id for r in bonuses[other].rules]
    # same tier, same recharge: the campaign doubled the targeted member's bonus
    assert bonuses["m_gold_s2"].amount == 2 * bonuses["m_gold_s1"].amount
    gold, silver = (DEFAULT_MULTIPLIERS[t].points_multiplier_bps for t in ("gold", "silver"))
    assert earned == {"m_gold_s2": points_for_amount(10_000, 100, [gold, 20_000]),
                      "m_gold_s1": points_for_amount(10_000, 100, [gold]),
                      "m_silver_s2": points_for_amount(10_000, 100, [silver])}


async def test_birthday_month_members_earn_double_points_and_others_do_not(platform, kafka):
    topics, bootstrap = Topics(platform.topic_prefix), kafka.bootstrap_servers
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the merchant's zone (default)
    birthday = MemberBirthday(occurred_at=datetime.now(UTC), member_id="m_bday",
                              celebrated_on=today)

    async with running(REWARDS, platform, KafkaTransport(bootstrap)) as rewards:
        async with api(rewards) as client:
            created = await client.post("/v1/segments/birthday_month/versions", headers=CONFIG,
                                        json={"name": "Birthday this month", "rule": {
                                            "fact": "birthday_month_is_current", "op": "eq",
                                            "value": True}})
            assert created.status_code == 201, created.text
            await campaign(client, "birthday_double_points", {
                "points_bps": 20_000, "segment_ids": ["birthday_month"]})
            await publish_tiering_events(bootstrap, topics, birthday)
            await eventually(lambda: segment_count(client, "birthday_month"), lambda n: n == 1)
            bought = {m: purchase(m, 12_345) for m in ("m_bday", "m_plain")}
            await publish_wallet_events(bootstrap, topics, *bought.values())
            emitted = await rewards_events(bootstrap, topics, 3)  # the birthday coupon first
        async with rewards.context.engine.connect() as db:
            stored = (await db.execute(text(
                "SELECT birthday_celebrated_month FROM member_facts WHERE member_id = 'm_bday'"
            ))).scalar_one()

    earned = {e.member_id: e.points for e in emitted if isinstance(e, PointsEarned)}
    assert earned == {"m_bday": 246, "m_plain": 123}
    assert stored == today.strftime("%Y-%m")  # the month, never the day

