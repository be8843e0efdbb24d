"""`patronage_bonus_decisions_total` on rewards' `/metrics`, on real Kafka: one count per
decision that committed, by outcome and by who decided (a redelivered recharge, decided
once, counts once)."""

from __future__ import annotations

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.events.rewards import BonusHeld
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, publish_wallet_events, recharge, rewards_events
from tests.support.auth import ops_headers
from tests.support.metrics import sample, scrape
from tests.support.runtime import running

pytestmark = pytest.mark.integration
REVIEWER = ops_headers("ops:review", user="ops_bob")
OUTCOMES = [("granted", "screening"), ("held", "screening"), ("granted", "review")]


async def counts(app) -> dict[tuple[str, str], float]:
    text = await scrape(app)
    return {(outcome, by): sample(text, "patronage_bonus_decisions_total", outcome=outcome,
                                  decided_by=by) or 0.0 for outcome, by in OUTCOMES}


async def test_bonus_decisions_are_counted_by_outcome_once_each(platform, kafka):
    topics = Topics(platform.topic_prefix)
    normal = recharge("m_ok", 50_000, first=True, lifetime=50_000)
    suspicious = recharge("m_new_big", 300_000, first=True, lifetime=300_000)

    async with running(REWARDS, platform, KafkaTransport(kafka.bootstrap_servers)) as rewards:
        before = await counts(rewards.app)
        await publish_wallet_events(kafka.bootstrap_servers, topics, normal, normal, suspicious)
        decided = await rewards_events(kafka.bootstrap_servers, topics, 2)
        [held] = [event for event in decided if isinstance(event, BonusHeld)]
        async with api(rewards) as client:
            approved = await client.post(f"/v1/reviews/{held.grant_id}/approve",
                                         json={"note": "called the member"}, headers=REVIEWER)
        assert approved.status_code == 200
        after = await counts(rewards.app)

    assert {key: after[key] - before[key] for key in OUTCOMES} == {
        ("granted", "screening"): 1, ("held", "screening"): 1, ("granted", "review"): 1}
