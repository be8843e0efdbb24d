"""Issue 16's spend mechanics on PostgreSQL, rewards alone (events applied as the consumer
applies them, many transactions at once): a cash-back budget of 10,000 under 200 concurrent
qualifying purchases, a first-N gift that gives exactly N, spend-and-save thresholds that
pay once each, net of refunds, targeting by segment, and the fraud screen holding a
cash-back for the review queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.runtime import ServiceRuntime
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase, recharge, refund
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport()) as runtime:
        yield runtime


async def offer(rewards: ServiceRuntime, offer_id: str, kind: str, terms: dict,
                budget: int | None = None) -> None:
    body = {"kind": kind, "name": offer_id, "currency": "CNY", "terms": terms,
            "effective_from": "2020-01-01T00:00:00Z"}
    if budget is not None:
        body["budget"] = budget
    async with api(rewards) as ops:
        response = await ops.post(f"/v1/offers/{offer_id}/versions", json=body,
                                  headers=ops_headers("ops:config"))
    assert response.status_code == 201, response.text


async def grants(rewards: ServiceRuntime, offer_id: str) -> list[dict]:
    """Granted or held (the budget pays both; a held one waits for review)."""
    return await fetch_all(rewards.platform.database_url,
                           "SELECT member_id, purchase_id, amount, status FROM "
                           "rewards.cashback_grants WHERE offer_id = $1 AND status <> 'rejected' "
                           "ORDER BY member_id", offer_id)


async def test_a_cashback_budget_of_10000_is_never_exceeded_by_200_concurrent_purchases(rewards):
    await offer(rewards, "cb_budget", "cashback", {"bps": 500}, budget=10_000)
    # 5 % of 2,000..3,990: 100..199 each, about 30,000 asked for in all
    purchases = [purchase(f"m_budget_{n:03}", 2_000 + 10 * n) for n in range(200)]
    await asyncio.gather(*(apply(rewards, event) for event in purchases))

    paid = await grants(rewards, "cb_budget")
    [budget] = await fetch_all(rewards.platform.database_url, "SELECT budget, spent FROM "
                               "rewards.campaign_budgets WHERE offer_id = 'cb_budget'")
    total = sum(row["amount"] for row in paid)
    assert total <= 10_000 and budget["spent"] == total
    assert 50 <= len(paid) < 200  # it paid until the budget ran out, then stopped
    assert 10_000 - total < 200  # and no purchase it turned down would have fitted


async def test_a_first_n_gift_goes_to_exactly_n_members_under_concurrency(rewards):
    await offer(rewards, "first_5", "first_n_gift", {"n": 5, "bonus": 1_000, "min_spend": 500})
    members = [f"m_first_{n:02}" for n in range(40)]
    events = [purchase(m, 1_000) for m in members] + [purchase(m, 1_000) for m in members[:10]]
    events.append(purchase("m_first_small", 100))  # under min_spend: no slot
    await asyncio.gather(*(apply(rewards, event) for event in events))

    claims = await fetch_all(rewards.platform.database_url, "SELECT member_id, slot FROM "
                             "rewards.first_n_claims WHERE offer_id = 'first_5'")
    paid = await grants(rewards, "first_5")
    assert sorted(row["slot"] for row in claims) == [1, 2, 3, 4, 5]
    assert len({row["member_id"] for row in claims}) == 5
    assert sorted(row["member_id"] for row in paid) == sorted(row["member_id"] for row in claims)
    assert all(row["amount"] == 1_000 for row in paid)


async def test_spend_and_save_pays_each_threshold_once_net_of_refunds(rewards):
    await offer(rewards, "save_more", "spend_and_save",
                {"thresholds": [[100_000, 5_000], [300_000, 20_000]]})
    steady = [purchase("m_steady", amount) for amount in (60_000, 50_000, 200_000, 100_000)]
    for event in steady:
        await apply(rewards, event)
    await apply(rewards, steady[1])  # the same purchase delivered twice counts once

    refunder = purchase("m_refunder", 80_000)
    await apply(rewards, refunder)
    await apply(rewards, refund(refunder, 40_000))  # net 40,000
    await apply(rewards, purchase("m_refunder", 50_000))  # net 90,000: nothing yet
    before_threshold = await grants(rewards, "save_more")
    await apply(rewards, purchase("m_refunder", 10_000))  # net 100,000: the first threshold

    paid = await grants(rewards, "save_more")
    [progress] = await fetch_all(rewards.platform.database_url, "SELECT spent FROM "
                                 "rewards.spend_progress WHERE member_id = 'm_steady'")
    assert [(r["member_id"], r["amount"]) for r in before_threshold] == [
        ("m_steady", 5_000), ("m_steady", 20_000)]
    assert [(r["member_id"], r["amount"]) for r in paid] == [
        ("m_refunder", 5_000), ("m_steady", 5_000), ("m_steady", 20_000)]
    assert progress["spent"] == 410_000
    # the threshold was crossed by the purchase that reached it
    assert {r["purchase_id"] for r in paid if r["member_id"] == "m_steady"} == {
        steady[1].purchase_id, steady[2].purchase_id}


async def test_a_cashback_targeted_at_new_members_skips_members_who_recharged(rewards):
    await offer(rewards, "cb_new", "cashback", {"rungs": [[10_000, 1_500]], "segments": ["new"]})
    await apply(rewards, recharge("m_regular", 50_000))
    await apply(rewards, purchase("m_regular", 20_000))
    await apply(rewards, purchase("m_newcomer", 20_000))
    await apply(rewards, purchase("m_newcomer_small", 9_999))  # under the only rung

    assert [(r["member_id"], r["amount"]) for r in await grants(rewards, "cb_new")] == [
        ("m_newcomer", 1_500)]


async def test_the_fraud_screen_holds_a_busy_terminals_cashback_for_review(rewards):
    await offer(rewards, "cb_screened", "cashback", {"bps": 1_000}, budget=100_000)
    busy = [purchase(f"m_busy_{n:02}", 10_000).model_copy(update={"terminal_id": "pos_busy"})
            for n in range(22)]
    for event in busy:  # one after another: the 21st and 22nd exceed 20 in 10 minutes
        await apply(rewards, event)
    review = ops_headers("ops:review")
    async with api(rewards) as ops:
        held = (await ops.get("/v1/reviews?status=held", headers=review)).json()["items"]
        first, second = (item["grant_id"] for item in held)
        approved = await ops.post(f"/v1/reviews/{first}/approve", json={"note": "known shop"},
                                  headers=review)
        again = await ops.post(f"/v1/reviews/{first}/reject", json={"note": "late"}, headers=review)
        rejected = await ops.post(f"/v1/reviews/{second}/reject", json={"note": "staff abuse"},
                                  headers=review)
        report = (await ops.get("/v1/reports/program", headers=ops_headers("ops:report"), params={
            "from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"})).json()
        [live] = [o for o in (await ops.get("/v1/offers/live")).json()["items"]
                  if o["offer_id"] == "cb_screened"]
        budget = live["budget"]
    emitted = await fetch_all(rewards.platform.database_url, "SELECT count(*) AS n FROM "
                              "rewards.outbox WHERE ce_type = 'patronage.rewards.CashbackGranted.v1'")

    assert [(i["kind"], i["member_id"], i["amount"], i["reasons"][0]["rule"]) for i in held] == [
        ("cashback", "m_busy_20", 1_000, "terminal_velocity"),
        ("cashback", "m_busy_21", 1_000, "terminal_velocity")]
    assert approved.status_code == 200 and approved.json()["status"] == "granted"
    assert approved.json()["reviewed_by"] == "ops:ops_alice"
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    assert rejected.json()["status"] == "rejected"
    assert budget["spent"] == 21 * 1_000  # 20 at once, 1 approved; the rejected one given back
    assert emitted[0]["n"] == 21
    assert [r for r in report["spend_rewards"] if r["offer_id"] == "cb_screened"] == [{
        "offer_id": "cb_screened", "kind": "cashback", "granted": 21, "cost": 21_000, "held": 0,
        "purchase_volume": 210_000}]
