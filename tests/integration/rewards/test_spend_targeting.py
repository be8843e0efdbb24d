"""Issue 16, spend mechanics on segments as data, on PostgreSQL (events applied as the
consumer applies them): a cash-back campaign on a rule segment (tier gold) pays a gold
member and not a silver one; a bulk coupon issue to a data segment issues exactly its
members once; a first-N gift whose payment is refused gives its slot back, so N gifts are
really paid under concurrency; a held spend-and-save reward that a refund undoes is
rejected and its budget freed (the granted case, through the wallet, is on Kafka in
test_cashback_on_kafka.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.rewards.rules.fraud import FraudThresholds
from services.rewards.service import SPEC as REWARDS
from services.rewards.settings import RewardsSettings
from shared.events.tiering import TierChanged
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase, refund
from tests.integration.rewards.test_spend_rewards import grants, offer
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")
# member_velocity alone rejects (80 = the reject score): a member's 4th purchase earning
# something within 10 minutes has its payment refused by the screen
STRICT = replace(FraudThresholds(), weights={**FraudThresholds().weights, "member_velocity": 80})


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    settings = RewardsSettings(fraud=STRICT, coupon_issue_every_seconds=0.05)
    async with running(REWARDS, bus_platform, BusTransport(), settings=settings) as runtime:
        yield runtime


def tier(member_id: str, to_tier: str) -> TierChanged:
    now = datetime.now(UTC)
    return TierChanged(occurred_at=now, member_id=member_id, from_tier="regular", to_tier=to_tier,
                       direction="up", reason="qualifying spend reached",
                       qualifying_amount=500_000, currency="CNY", effective_at=now)


def at_own_terminal(member_id: str, total: int):
    """A purchase at the member's own terminal, so that only member velocity can fire."""
    return purchase(member_id, total).model_copy(update={"terminal_id": f"pos_{member_id}"})


async def test_a_cashback_on_a_tier_gold_segment_pays_gold_members_only(rewards):
    async with api(rewards) as ops:
        made = await ops.post("/v1/segments/gold/versions", headers=CONFIG, json={
            "name": "Gold", "rule": {"fact": "tier", "op": "eq", "value": "gold"}})
        assert made.status_code == 201, made.text
    for member, to_tier in (("m_gold_1", "gold"), ("m_gold_2", "gold"), ("m_silver", "silver")):
        await apply(rewards, tier(member, to_tier))
    await offer(rewards, "cb_gold", "cashback", {"bps": 1_000, "segment_ids": ["gold"]})
    await offer(rewards, "cb_everyone", "cashback", {"bps": 100})
    await asyncio.gather(*(apply(rewards, at_own_terminal(m, 20_000))
                           for m in ("m_gold_1", "m_gold_2", "m_silver", "m_no_tier")))

    assert [(r["member_id"], r["amount"]) for r in await grants(rewards, "cb_gold")] == [
        ("m_gold_1", 2_000), ("m_gold_2", 2_000)]
    assert [r["member_id"] for r in await grants(rewards, "cb_everyone")] == [
        "m_gold_1", "m_gold_2", "m_no_tier", "m_silver"]


async def test_a_bulk_issue_to_a_data_segment_issues_exactly_its_members_once(rewards):
    async with api(rewards) as ops:
        await ops.post("/v1/segments/vip/versions", headers=CONFIG,
                       json={"name": "VIP", "kind": "list"})
        for batch in (["m_vip_a", "m_vip_b"], ["m_vip_b", "m_vip_c"]):  # m_vip_b listed twice
            added = await ops.post("/v1/segments/vip/members", headers=CONFIG,
                                   json={"member_ids": batch})
            assert added.status_code == 200, added.text
        made = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "vip-1"},
                              json={"template_id": "save10_over100", "segment_id": "vip"})
        assert made.status_code == 201, made.text
        job_id = made.json()["job_id"]
        done = await eventually(lambda: ops.get(f"/v1/coupon-issues/{job_id}", headers=CONFIG),
                                lambda r: r.json()["status"] == "done")
        unknown = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "vip-2"},
                                 json={"template_id": "save10_over100", "segment_id": "no_such"})
        both = await ops.post("/v1/coupon-issues", headers={**CONFIG, "Idempotency-Key": "vip-3"},
                              json={"template_id": "save10_over100", "segment_id": "vip",
                                    "segment": "new"})

    rows = await fetch_all(rewards.platform.database_url, "SELECT member_id FROM rewards.coupons "
                           "WHERE reason = $1 ORDER BY member_id", f"bulk:{job_id}")
    assert made.json()["source"] == "segment_id:vip"
    assert (done.json()["total"], done.json()["issued"]) == (3, 3)
    assert [r["member_id"] for r in rows] == ["m_vip_a", "m_vip_b", "m_vip_c"]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "segment_not_found")
    assert (both.status_code, both.json()["code"]) == (422, "invalid_request")


async def test_first_n_slots_refused_by_the_screen_are_given_back_so_n_are_paid(rewards):
    # three earlier purchases each earning a little cash-back: the 4th trips member velocity
    await offer(rewards, "cb_small", "cashback", {"bps": 100, "cap": 10})
    risky = [f"m_risky_{n:02}" for n in range(15)]
    for member in risky:
        for _ in range(3):
            await apply(rewards, at_own_terminal(member, 1_000))
    await offer(rewards, "first_n_5", "first_n_gift",
                {"n": 5, "bonus": 1_000, "min_spend": 5_000})

    # the first to arrive are refused: before slots were given back they kept all five
    await asyncio.gather(*(apply(rewards, at_own_terminal(m, 10_000)) for m in risky[:5]))
    taken_after_refusals = await fetch_all(rewards.platform.database_url, "SELECT taken FROM "
                                           "rewards.first_n_counters WHERE offer_id = 'first_n_5'")
    honest = [f"m_honest_{n:02}" for n in range(30)]
    mixed = [at_own_terminal(m, 10_000) for m in honest + risky[5:]]
    await asyncio.gather(*(apply(rewards, event) for event in mixed))

    decided = await fetch_all(rewards.platform.database_url, "SELECT member_id, status FROM "
                              "rewards.cashback_grants WHERE offer_id = 'first_n_5'")
    claims = await fetch_all(rewards.platform.database_url, "SELECT member_id, slot FROM "
                             "rewards.first_n_claims WHERE offer_id = 'first_n_5'")
    paid = {r["member_id"] for r in decided if r["status"] == "granted"}
    assert [r["taken"] for r in taken_after_refusals] == [0]
    assert len(paid) == 5 and paid <= set(honest)
    assert {r["member_id"] for r in decided if r["status"] == "rejected"} >= set(risky[:5])
    assert sorted(r["slot"] for r in claims) == [1, 2, 3, 4, 5]
    assert {r["member_id"] for r in claims} == paid


async def test_a_first_n_gift_the_budget_cannot_pay_takes_no_slot(rewards):
    await offer(rewards, "first_n_budget", "first_n_gift", {"n": 5, "bonus": 1_000},
                budget=3_000)
    await asyncio.gather(*(apply(rewards, at_own_terminal(f"m_budget_{n:02}", 5_000))
                           for n in range(10)))

    [counter] = await fetch_all(rewards.platform.database_url, "SELECT taken FROM "
                                "rewards.first_n_counters WHERE offer_id = 'first_n_budget'")
    assert len(await grants(rewards, "first_n_budget")) == 3
    assert counter["taken"] == 3  # the two slots left wait for a larger budget


async def test_a_held_spend_and_save_reward_a_refund_undoes_is_rejected_and_its_budget_freed(
        rewards):
    # 20 purchases earning cash-back on one terminal: the 21st's payments are held
    await offer(rewards, "cb_busy", "cashback", {"bps": 100})
    for n in range(20):
        await apply(rewards, purchase(f"m_busy_{n:02}", 1_000).model_copy(
            update={"terminal_id": "pos_busy"}))
    await offer(rewards, "save_held", "spend_and_save", {"thresholds": [[10_000, 1_000]]},
                budget=5_000)
    bought = purchase("m_held", 12_000).model_copy(update={"terminal_id": "pos_busy"})
    await apply(rewards, bought)
    [held] = await fetch_all(rewards.platform.database_url, "SELECT status FROM "
                             "rewards.cashback_grants WHERE offer_id = 'save_held'")
    await apply(rewards, refund(bought, 4_000))  # 12,000 - 4,000 = 8,000: under 10,000

    url = rewards.platform.database_url
    [grant] = await fetch_all(url, "SELECT status, reviewed_by FROM rewards.cashback_grants "
                              "WHERE offer_id = 'save_held'")
    [budget] = await fetch_all(url, "SELECT spent FROM rewards.campaign_budgets "
                               "WHERE offer_id = 'save_held'")
    reversed_events = await fetch_all(url, "SELECT count(*) AS n FROM rewards.outbox WHERE "
                                      "ce_type = 'patronage.rewards.CashbackReversed.v1'")
    assert held["status"] == "held"
    assert (grant["status"], grant["reviewed_by"]) == ("rejected", "rewards:refund")
    assert budget["spent"] == 0 and reversed_events[0]["n"] == 0
