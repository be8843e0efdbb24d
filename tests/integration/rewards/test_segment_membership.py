"""Segment membership on real PostgreSQL: kept current incrementally by rewards' handlers,
right under redelivered events, equal to a direct SQL computation over the facts, refreshed
by the daily job when time alone moves a member out, and "dormant" meaning no activity of
any kind."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.jobs.segment_refresh import refresh_all
from services.rewards.service import SPEC as REWARDS
from services.rewards.store import offers
from shared.clock import FrozenClock
from shared.events.tiering import MemberEnrolled, MembershipRenewed, MembershipRevoked, TierChanged
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase, recharge, refund
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
NOW = datetime(2027, 3, 15, 4, tzinfo=UTC)
CONFIG = ops_headers("ops:config")
BIG_SPENDERS_OF_STORE_2 = {"all": [
    {"fact": "spend_90d", "op": "gte", "value": 30_000},
    {"any": [{"fact": "stores_visited", "op": "contains", "value": "store_2"},
             {"fact": "tier", "op": "eq", "value": "gold"}]}]}
# The same segment, computed by hand over rewards' tables.
DIRECT = """
    SELECT m.member_id FROM rewards.member_facts m
    LEFT JOIN rewards.member_tiers t ON t.member_id = m.member_id
    WHERE (SELECT coalesce(sum(amount), 0) FROM rewards.member_activity a
           WHERE a.member_id = m.member_id AND a.kind IN ('purchase', 'purchase_refund')
             AND a.occurred_at > $1::timestamptz - interval '90 days'
             AND a.occurred_at <= $1::timestamptz) >= 30000
      AND (t.tier = 'gold' OR EXISTS (SELECT 1 FROM rewards.member_activity a
           WHERE a.member_id = m.member_id AND a.store_id = 'store_2'
             AND a.kind IN ('purchase', 'recharge')))
    ORDER BY 1
"""


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(NOW)) as runtime:
        yield runtime


def shop(member_id: str, total: int, store: str, days_ago: int):
    return purchase(member_id, total).model_copy(update={
        "store_id": store, "occurred_at": NOW - timedelta(days=days_ago)})


def gold(member_id: str) -> TierChanged:
    return TierChanged(occurred_at=NOW, member_id=member_id, from_tier="regular", to_tier="gold",
                       direction="up", reason="test", qualifying_amount=1, currency="CNY",
                       effective_at=NOW - timedelta(days=1))


def random_history(seed: int) -> list:
    rng = random.Random(seed)
    events: list = []
    for n in range(40):
        member = f"m_{n:02}"
        bought = [shop(member, rng.randrange(1_000, 25_000), rng.choice(["store_1", "store_2"]),
                       rng.randrange(0, 200)) for _ in range(rng.randrange(0, 5))]
        events += bought
        if bought and rng.random() < 0.3:
            events.append(refund(bought[0], bought[0].total // 2).model_copy(
                update={"occurred_at": NOW - timedelta(days=1)}))
        if rng.random() < 0.2:
            events.append(gold(member))
    return events


async def add_segment(client, segment_id: str, body: dict):
    created = await client.post(f"/v1/segments/{segment_id}/versions", headers=CONFIG, json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def preview(client, segment_id: str) -> dict:
    return (await client.get(f"/v1/segments/{segment_id}/preview?sample=100",
                             headers=CONFIG)).json()


async def test_preview_matches_a_direct_sql_computation_and_survives_redelivery(rewards):
    db = rewards.platform.database_url
    history = random_history(16)
    async with api(rewards) as client:
        # one segment defined before the events (kept by the handlers), one after (evaluated
        # for every member when its version is added)
        await add_segment(client, "before", {"name": "b", "rule": BIG_SPENDERS_OF_STORE_2})
        for event in history:
            await apply(rewards, event)
        await add_segment(client, "after", {"name": "a", "rule": BIG_SPENDERS_OF_STORE_2})
        expected = [row["member_id"] for row in await fetch_all(db, DIRECT, NOW)]
        first = [await preview(client, s) for s in ("before", "after")]
        for event in history:  # every event delivered again
            await apply(rewards, event)
        again = [await preview(client, s) for s in ("before", "after")]

    assert 3 <= len(expected) <= 37  # the seed gives a segment that is neither empty nor all
    for shown in first + again:
        assert (shown["count"], shown["sample"]) == (len(expected), expected)


async def test_a_refund_takes_a_member_out_and_redelivery_does_not_put_them_back(rewards):
    big = shop("m_big", 40_000, "store_2", 3)
    async with api(rewards) as client:
        await add_segment(client, "big", {"name": "big", "rule": BIG_SPENDERS_OF_STORE_2})
        await apply(rewards, big)
        inside = await preview(client, "big")
        money_back = refund(big, 20_000).model_copy(update={"occurred_at": NOW - timedelta(days=1)})
        await apply(rewards, money_back)
        out = await preview(client, "big")
        await apply(rewards, big)  # the purchase redelivered after its refund
        await apply(rewards, money_back)
        still_out = await preview(client, "big")

    assert inside["sample"] == ["m_big"]
    assert out["count"] == still_out["count"] == 0


async def test_the_daily_job_moves_members_whose_window_slid_past_their_spend(rewards):
    async with api(rewards) as client:
        await add_segment(client, "spent_30d", {"name": "s", "rule": {
            "fact": "spend_30d", "op": "gte", "value": 10_000}})
        await apply(rewards, shop("m_window", 10_000, "store_1", 25))
        before = await preview(client, "spent_30d")
        unchanged = await refresh_all(rewards.context.uow, NOW, rewards.settings.zone())
        evaluated = await refresh_all(rewards.context.uow, NOW + timedelta(days=6),
                                      rewards.settings.zone())
        after = await preview(client, "spent_30d")

    assert before["sample"] == ["m_window"] and unchanged == evaluated == 1
    assert after["count"] == 0


async def test_dormant_counts_every_kind_of_activity_not_recharges_alone(rewards):
    async with rewards.context.uow() as uow:
        await offers.add_version(uow.connection, {
            "offer_id": "win_back", "kind": "campaign", "name": "Win back", "currency": "CNY",
            "terms": json.dumps({"bonus_bps": 20_000, "segments": ["dormant"]}),
            "effective_from": NOW - timedelta(days=365), "effective_to": None,
            "created_by": "test", "created_at": NOW})
    for member in ("m_idle", "m_shopper"):
        await apply(rewards, recharge(member, 50_000).model_copy(
            update={"occurred_at": NOW - timedelta(days=120)}))
    await apply(rewards, shop("m_shopper", 5_000, "store_1", 1))  # spends, never recharges
    now = {m: recharge(m, 50_000).model_copy(update={"occurred_at": NOW})
           for m in ("m_idle", "m_shopper")}
    for event in now.values():
        await apply(rewards, event)

    rows = await fetch_all(rewards.platform.database_url,
                           "SELECT member_id, rules FROM rewards.bonus_decisions "
                           "WHERE recharge_id = ANY($1::text[])",
                           [e.recharge_id for e in now.values()])
    campaigns = {r["member_id"]: [rule["offer_id"] for rule in json.loads(r["rules"])]
                 for r in rows}
    assert "win_back" in campaigns["m_idle"]
    assert "win_back" not in campaigns["m_shopper"]


async def test_membership_expiry_and_referral_facts_follow_tierings_events(rewards):
    renewed = MembershipRenewed(
        occurred_at=NOW, member_id="m_term", term_id="t_1", term_start=NOW - timedelta(days=340),
        term_end=NOW + timedelta(days=25), years=1, price=30_000, currency="CNY",
        purchase_id="p_term")
    async with api(rewards) as client:
        await add_segment(client, "expiring", {"name": "e", "rule": {"all": [
            {"fact": "membership_status", "op": "eq", "value": "active"},
            {"fact": "days_to_expiry", "op": "lte", "value": 30}]}})
        await add_segment(client, "lapsed", {"name": "l", "rule": {
            "fact": "membership_status", "op": "eq", "value": "lapsed"}})
        await add_segment(client, "referred", {"name": "r", "rule": {"all": [
            {"fact": "referred", "op": "eq", "value": True},
            {"fact": "enrolment_channel", "op": "eq", "value": "app"}]}})
        await apply(rewards, MemberEnrolled(
            occurred_at=NOW, member_id="m_term", store_id=None, channel="app",
            referral_code="FRIEND1", locale="zh-CN", enrolled_at=NOW))
        await apply(rewards, renewed)
        expiring = [await preview(client, s) for s in ("expiring", "lapsed", "referred")]
        await refresh_all(rewards.context.uow, NOW + timedelta(days=26), rewards.settings.zone())
        lapsed = [await preview(client, s) for s in ("expiring", "lapsed")]
        await apply(rewards, MembershipRevoked(
            occurred_at=NOW, member_id="m_term", term_id="t_1", purchase_id="p_term",
            refund_id="f_term", price=30_000, currency="CNY", membership_ends_at=None))
        revoked = [await preview(client, s) for s in ("expiring", "lapsed")]

    assert [p["sample"] for p in expiring] == [["m_term"], [], ["m_term"]]
    assert [p["sample"] for p in lapsed] == [[], ["m_term"]]
    assert [p["count"] for p in revoked] == [0, 0]  # no term left: status none
