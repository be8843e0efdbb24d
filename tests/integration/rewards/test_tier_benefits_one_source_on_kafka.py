"""Issue 13, one source of truth for tier benefits: what `GET /v1/tiers` shows a member is
what rewards pays. Before, tiering showed gold x1.5 points while rewards paid its own offer's
x1.2, and a new tier program changed only what was shown. Now tiering publishes every
version (`TierProgramPublished`) and rewards pays from that; this test publishes a program
with changed multipliers on real Kafka, then earns points and a bonus and compares them with
what tiering shows, number for number."""

from __future__ import annotations

import json

import httpx
import pytest

from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from shared.events.cloudevents import decode
from shared.events.rewards import PointsEarned
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import publish_wallet_events, purchase, recharge
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, read_topic, running

pytestmark = pytest.mark.integration
PROGRAM = {"measure": "spend_12m", "tiers": [
    {"name": "regular"},
    {"name": "gold", "spend_threshold": 2_000_000,
     "benefits": {"points_multiplier_bps": 17_500, "bonus_multiplier_bps": 13_000}}]}


async def test_rewards_pays_exactly_the_multipliers_tiering_shows(platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    url = platform.database_url
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet"), topics.events("tiering")])
    async with running(TIERING, platform, transport) as tiering, running(REWARDS, platform, transport), \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                              base_url="http://tiering") as shown:
        enrolled = await shown.post("/v1/members", headers=pos_headers(), json={"member_id": "m_gold"})
        assert enrolled.status_code == 201, enrolled.text
        await publish_wallet_events(kafka.bootstrap_servers, topics, purchase("m_gold", 2_100_000))
        await eventually(lambda: fetch_all(url, "SELECT tier FROM rewards.member_tiers WHERE "
                                           "member_id = 'm_gold'"),
                         lambda rows: [row["tier"] for row in rows] == ["gold"])
        published = await shown.post("/v1/tiers/rules", headers=ops_headers("ops:config"), json=PROGRAM)
        assert published.status_code == 201, published.text
        await eventually(lambda: fetch_all(url, "SELECT version FROM rewards.tier_programs"),
                         lambda rows: len(rows) == 1)
        tiers = (await shown.get("/v1/tiers", headers=member_headers("m_gold"))).json()
        [gold] = [tier["benefits"] for tier in tiers["tiers"] if tier["name"] == "gold"]
        assert (tiers["version"], gold["points_multiplier_bps"], gold["bonus_multiplier_bps"]) == (
            1, 17_500, 13_000)

        bought = purchase("m_gold", 10_000)  # 100.00: 100 points before the multiplier
        paid_in = recharge("m_gold", 10_000, lifetime=10_000)  # the ladder's 100 -> 10.00
        await publish_wallet_events(kafka.bootstrap_servers, topics, bought, paid_in)
        decided = await eventually(
            lambda: fetch_all(url, "SELECT amount, rules::text AS rules FROM rewards.bonus_decisions "
                              "WHERE recharge_id = $1", paid_in.recharge_id), bool)
        records = await read_topic(kafka.bootstrap_servers, topics.events("rewards"), 3)

    earned = [e for e in (decode(r.value, r.headers) for r in records)
              if isinstance(e, PointsEarned) and e.source_event_id == bought.event_id]
    assert [e.points for e in earned] == [100 * gold["points_multiplier_bps"] // 10_000]
    rules = json.loads(decided[0]["rules"])
    assert decided[0]["amount"] == 1_000 * gold["bonus_multiplier_bps"] // 10_000
    assert [(r["offer_id"], r["amount"]) for r in rules] == [
        ("ladder_cny", 1_000), ("tier_program_v1", 1_000 * (gold["bonus_multiplier_bps"] - 10_000) // 10_000)]
