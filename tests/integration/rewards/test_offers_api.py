"""Offers through the API on PostgreSQL: versions with effective dates, the public live
list, campaigns in the bonus, and budget caps that hold under concurrent decisions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, recharge
from tests.support.auth import ops_headers, pos_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")


def soon(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


async def bonus_of(database_url: str, recharge_id: str):
    [row] = await fetch_all(database_url, "SELECT amount, status, rules FROM rewards.bonus_decisions "
                            "WHERE recharge_id = $1", recharge_id)
    return row


async def test_a_new_ladder_version_takes_over_from_its_effective_date(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        now_live = await client.post("/v1/offers/ladder_cny/versions", headers=CONFIG, json={
            "kind": "ladder", "name": "Winter ladder", "currency": "CNY",
            "terms": {"rungs": [[10_000, 1_500], [50_000, 9_000]]}})
        scheduled = await client.post("/v1/offers/ladder_cny/versions", headers=CONFIG, json={
            "kind": "ladder", "name": "Spring ladder", "currency": "CNY",
            "terms": {"rungs": [[10_000, 100]]}, "effective_from": soon(days=30)})
        live = (await client.get("/v1/offers/live?currency=CNY")).json()
        versions = (await client.get("/v1/offers/ladder_cny/versions", headers=CONFIG)).json()
        event = recharge("m_ladder", 50_000)
        await apply(rewards, event)

    assert (now_live.status_code, now_live.json()["version"]) == (201, 2)
    assert (scheduled.status_code, scheduled.json()["version"]) == (201, 3)
    [ladder] = [o for o in live["items"] if o["offer_id"] == "ladder_cny"]
    assert (ladder["version"], ladder["name"]) == (2, "Winter ladder")
    assert [v["version"] for v in versions["items"]] == [1, 2, 3]
    assert (await bonus_of(bus_platform.database_url, event.recharge_id))["amount"] == 9_000


async def test_ending_an_offer_is_a_version_with_an_end(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        ended = await client.post("/v1/offers/first_recharge/versions", headers=CONFIG, json={
            "kind": "first_recharge", "name": "First recharge +5%", "terms": {"bps": 500},
            "effective_from": soon(days=-2), "effective_to": soon(seconds=-1)})
        live = (await client.get("/v1/offers/live")).json()
    assert ended.status_code == 201
    assert "first_recharge" not in {o["offer_id"] for o in live["items"]}


async def test_a_campaign_doubles_the_bonus_until_its_budget_is_spent_even_under_concurrency(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        created = await client.post("/v1/offers/double_week/versions", headers=CONFIG, json={
            "kind": "campaign", "name": "Double bonus week", "currency": "CNY",
            "terms": {"bonus_bps": 20_000}, "effective_from": soon(hours=-1),
            "effective_to": soon(days=7), "budget": 24_000})
        events = [recharge(f"m_camp_{n}", 50_000) for n in range(5)]
        await asyncio.gather(*(apply(rewards, e) for e in events))
        live = (await client.get("/v1/offers/live")).json()

    assert created.status_code == 201
    amounts = sorted([(await bonus_of(bus_platform.database_url, e.recharge_id))["amount"]
                      for e in events])
    assert amounts == [8_000, 8_000, 16_000, 16_000, 16_000]  # 3 x 8,000 fit in 24,000
    [campaign] = [o for o in live["items"] if o["offer_id"] == "double_week"]
    assert campaign["budget"] == {"total": 24_000, "spent": 24_000, "remaining": 0}


@pytest.mark.parametrize("body,status,code", [
    ({"kind": "ladder", "name": "x", "terms": {"rungs": [[100, 1]]}}, 422, "currency_required"),
    ({"kind": "ladder", "name": "x", "currency": "CNY", "terms": {"rungs": [[500, 1], [100, 2]]}},
     422, "invalid_offer_terms"),
    ({"kind": "campaign", "name": "x", "terms": {"bonus_bps": 5}}, 422, "invalid_offer_terms"),
    ({"kind": "first_recharge", "name": "x", "terms": {"bps": 1}, "budget": 5}, 422,
     "budget_not_applicable"),
    ({"kind": "first_recharge", "name": "x", "terms": {"bps": 1},
      "effective_from": "2030-01-01T00:00:00Z", "effective_to": "2029-01-01T00:00:00Z"}, 422,
     "invalid_effective_window"),
    ({"kind": "cumulative", "name": "x", "currency": "CNY", "terms": {"threshold": 1, "bps": 1}},
     409, "offer_kind_mismatch"),
    ({"kind": "first_recharge", "name": "x"}, 422, "invalid_request"),
])
async def test_bad_offer_changes_get_a_stable_problem_code(bus_platform, body, status, code):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        response = await client.post("/v1/offers/first_recharge/versions", headers=CONFIG, json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)


async def test_changing_offers_needs_the_config_scope(bus_platform):
    body = {"kind": "first_recharge", "name": "x", "terms": {"bps": 1}}
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        as_pos = await client.post("/v1/offers/first_recharge/versions", headers=pos_headers(), json=body)
        as_reviewer = await client.post("/v1/offers/first_recharge/versions",
                                        headers=ops_headers("ops:review"), json=body)
        anonymous = await client.post("/v1/offers/first_recharge/versions", json=body)
    assert [r.status_code for r in (as_pos, as_reviewer, anonymous)] == [403, 403, 401]


async def test_text_with_nul_is_refused_as_invalid_not_a_server_error(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        offer = await client.post("/v1/offers/first_recharge/versions", headers=CONFIG, json={
            "kind": "first_recharge", "name": "nul\u0000name", "terms": {"bps": 1}})
        code = await client.post("/v1/coupons/validate", headers=pos_headers(), json={
            "code": "A\u0000B", "member_id": "m_1", "basket_total": 1, "currency": "CNY"})
        note = await client.post("/v1/reviews/5b0e7a3c-2f4d-4c61-9a8e-3d1f6b2c9e47/reject",
                                 headers=ops_headers("ops:review"), json={"note": "\u0000"})
    assert [(r.status_code, r.json()["code"]) for r in (offer, code, note)] == [
        (422, "invalid_request")] * 3


async def test_rewards_has_no_tier_multiplier_of_its_own(bus_platform):
    """Migration 0004 ended the old `tier_multipliers` offer (x1.1/x1.2/x1.5, a second number
    beside tiering's) and the kind is gone: the multipliers are tiering's."""
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        live = (await client.get("/v1/offers/live")).json()
        again = await client.post("/v1/offers/tier_multipliers/versions", headers=CONFIG, json={
            "kind": "tier_multiplier", "name": "Tier multiplier",
            "terms": {"bps_by_tier": {"gold": 12_000}}})
    assert "tier_multipliers" not in {o["offer_id"] for o in live["items"]}
    assert (again.status_code, again.json()["code"]) == (422, "invalid_request")
