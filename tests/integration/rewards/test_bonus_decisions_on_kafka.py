"""Bonus decisions on real Kafka and PostgreSQL: wallet's RechargeCompleted in, exactly one
of BonusGranted / BonusHeld / BonusRejected out on `rewards.events`, per recharge."""

from __future__ import annotations

import uuid

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.events.rewards import BonusGranted, BonusHeld, BonusRejected, grant_id_for
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, publish_wallet_events, recharge, rewards_events
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
REVIEWER = ops_headers("ops:review", user="ops_bob")


async def decisions(database_url: str) -> list:
    return await fetch_all(database_url, "SELECT * FROM rewards.bonus_decisions ORDER BY decided_at")


async def test_a_normal_recharge_is_granted_with_the_rules_that_produced_it(platform, kafka):
    topics = Topics(platform.topic_prefix)
    event = recharge("m_ok", 50_000, first=True, lifetime=50_000)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)):
        await publish_wallet_events(kafka.bootstrap_servers, topics, event)
        [granted] = await rewards_events(kafka.bootstrap_servers, topics, 1)

    assert isinstance(granted, BonusGranted)
    assert granted.grant_id == grant_id_for(event.recharge_id)
    assert granted.amount == 8_000 + 2_500  # ladder 500 -> 80, first recharge +5 %
    assert [rule.id for rule in granted.rules] == ["ladder_cny", "first_recharge"]
    assert granted.causation_id == event.event_id and granted.member_id == "m_ok"


async def test_a_redelivered_recharge_never_yields_a_second_decision(platform, kafka):
    topics = Topics(platform.topic_prefix)
    event = recharge("m_dup", 10_000)
    same_recharge_new_event = event.model_copy(update={"event_id": uuid.uuid4()})
    marker = recharge("m_dup", 10_000)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)) as rewards:
        await publish_wallet_events(kafka.bootstrap_servers, topics, event, event,
                                    same_recharge_new_event, marker)
        stats = rewards.consumer.stats
        await eventually(lambda: stats, lambda s: s.applied + s.duplicates == 4)
        emitted = await rewards_events(kafka.bootstrap_servers, topics, 2)

    assert [e.recharge_id for e in emitted] == [event.recharge_id, marker.recharge_id]
    assert stats.duplicates == 1 and stats.dead_lettered == 0
    assert [row["recharge_id"] for row in await decisions(platform.database_url)] == [
        event.recharge_id, marker.recharge_id]


async def test_a_suspicious_recharge_is_held_and_granted_only_after_an_ops_approval(platform, kafka):
    topics = Topics(platform.topic_prefix)
    event = recharge("m_new_big", 300_000, first=True, lifetime=300_000)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)) as rewards:
        await publish_wallet_events(kafka.bootstrap_servers, topics, event)
        [held] = await rewards_events(kafka.bootstrap_servers, topics, 1)
        assert isinstance(held, BonusHeld)
        assert [r.rule for r in held.reasons] == ["new_member_large_first"] and held.risk_score == 40
        async with api(rewards) as client:
            queue = (await client.get("/v1/reviews?status=held", headers=REVIEWER)).json()
            approved = await client.post(f"/v1/reviews/{held.grant_id}/approve",
                                         json={"note": "called the member"}, headers=REVIEWER)
            again = await client.post(f"/v1/reviews/{held.grant_id}/reject",
                                      json={"note": "too late"}, headers=REVIEWER)
        _, granted = await rewards_events(kafka.bootstrap_servers, topics, 2)

    assert [item["recharge_id"] for item in queue["items"]] == [event.recharge_id]
    assert approved.status_code == 200 and approved.json()["status"] == "granted"
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    assert isinstance(granted, BonusGranted)
    assert (granted.grant_id, granted.amount, granted.reviewed_by) == (
        held.grant_id, held.amount, "ops:ops_bob")
    assert granted.causation_id == held.causation_id == event.event_id
    audit = await fetch_all(platform.database_url, "SELECT * FROM rewards.review_actions")
    assert [(a["decision"], a["actor"], a["note"]) for a in audit] == [
        ("approve", "ops:ops_bob", "called the member")]


async def test_a_recharge_tripping_enough_rules_is_rejected_and_never_granted(platform, kafka):
    topics = Topics(platform.topic_prefix)
    shared_reference = "wx-shared-card"
    ring = [recharge(f"m_ring_{n}", 50_000, reference=shared_reference) for n in range(3)]
    burst = [recharge("m_ring_2", 10_000, reference=shared_reference) for _ in range(3)]

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)):
        # members land on different partitions: feed them one step at a time
        for count, step in ((2, ring[:2]), (3, ring[2:]), (6, burst)):
            await publish_wallet_events(kafka.bootstrap_servers, topics, *step)
            emitted = await rewards_events(kafka.bootstrap_servers, topics, count)

    by_recharge = {e.recharge_id: e for e in emitted}
    assert isinstance(by_recharge[ring[1].recharge_id], BonusGranted)  # two members: fine
    held = by_recharge[ring[2].recharge_id]  # a third member on the same card
    assert isinstance(held, BonusHeld) and [r.rule for r in held.reasons] == [
        "shared_payment_reference"]
    rejected = by_recharge[burst[-1].recharge_id]  # and a fourth recharge in minutes
    assert isinstance(rejected, BonusRejected) and rejected.reviewed_by is None
    assert [r.rule for r in rejected.reasons] == ["member_velocity", "shared_payment_reference"]
    assert [type(e).__name__ for e in emitted if e.recharge_id == burst[-1].recharge_id] == [
        "BonusRejected"]


async def test_a_recharge_no_offer_rewards_is_rejected_with_no_offer_applies(platform, kafka):
    topics = Topics(platform.topic_prefix)
    small = recharge("m_small", 9_999)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)):
        await publish_wallet_events(kafka.bootstrap_servers, topics, small)
        [rejected] = await rewards_events(kafka.bootstrap_servers, topics, 1)

    assert isinstance(rejected, BonusRejected)
    assert [r.rule for r in rejected.reasons] == ["no_offer_applies"]
