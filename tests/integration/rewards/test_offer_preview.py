"""The offer preview on PostgreSQL: draft versions of the ladder, first-recharge, cumulative
rebate and a campaign quoted on a sample recharge beside the published offers, with nothing
saved; refusals as problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.transport import BusTransport
from tests.integration.rewards.feed import api
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")
WINTER = {"offer_id": "ladder_cny", "kind": "ladder", "name": "Winter ladder",
          "currency": "CNY", "terms": {"rungs": [[10_000, 1_500], [50_000, 9_000]]}}


async def test_a_draft_ladder_is_quoted_beside_the_published_one_and_nothing_is_saved(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        answer = await client.post("/v1/offers/preview", headers=CONFIG, json={
            "drafts": [WINTER], "recharge": {"amount": 50_000}})
        versions = (await client.get("/v1/offers/ladder_cny/versions", headers=CONFIG)).json()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # the default ladder gives 80 yuan at 500; the draft 90
    assert body["published"] == {"bonus": 8_000, "rules": [
        {"offer_id": "ladder_cny", "name": body["published"]["rules"][0]["name"], "amount": 8_000}]}
    assert body["draft"]["bonus"] == 9_000
    assert [r["name"] for r in body["draft"]["rules"]] == ["Winter ladder"]
    assert [v["version"] for v in versions["items"]] == [1]
    assert await fetch_all(bus_platform.database_url, "SELECT 1 FROM rewards.bonus_decisions") == []


async def test_first_recharge_cumulative_tier_and_a_targeted_campaign_in_the_draft(bus_platform):
    now = datetime.now(UTC)
    campaign = {"offer_id": "vip_double", "kind": "campaign", "name": "VIP double",
                "currency": "CNY", "terms": {"bonus_bps": 20_000, "segment_ids": ["vip"]},
                "effective_from": (now - timedelta(hours=1)).isoformat(),
                "effective_to": (now + timedelta(days=1)).isoformat(), "budget": 100_000}
    rebate = {"offer_id": "cumulative_cny", "kind": "cumulative", "name": "Rebate 10%",
              "currency": "CNY", "terms": {"threshold": 100_000, "bps": 1_000}}
    first = {"offer_id": "first_recharge", "kind": "first_recharge", "name": "First +20%",
             "terms": {"bps": 2_000}}
    sample = {"amount": 10_000, "is_first_recharge": True, "lifetime_before": 100_000,
              "tier": "gold"}
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        member = await client.post("/v1/offers/preview", headers=CONFIG, json={
            "drafts": [campaign, rebate, first], "recharge": {**sample, "segment_ids": ["vip"]}})
        outsider = await client.post("/v1/offers/preview", headers=CONFIG, json={
            "drafts": [campaign, rebate, first], "recharge": sample})
        live = (await client.get("/v1/offers/live")).json()
    # ladder 10 + first 20 % (20) + rebate 10 % (10) = 40 yuan; gold x1.2 adds 8; double adds 48
    assert [(r["offer_id"], r["amount"]) for r in member.json()["draft"]["rules"]] == [
        ("ladder_cny", 1_000), ("first_recharge", 2_000), ("cumulative_cny", 1_000),
        ("tier_program_v0", 800), ("vip_double", 4_800)]
    assert member.json()["draft"]["bonus"] == 9_600
    assert outsider.json()["draft"]["bonus"] == 4_800
    # published: ladder 10 + first 5 % (5) = 15 (the rebate needs 3,000 yuan before), gold adds 3
    assert member.json()["published"]["bonus"] == 1_800
    assert "vip_double" not in {o["offer_id"] for o in live["items"]}


@pytest.mark.parametrize("draft,status,code", [
    ({**WINTER, "kind": "campaign", "terms": {"bonus_bps": 20_000}}, 409, "offer_kind_mismatch"),
    ({**WINTER, "terms": {"rungs": [[5_000, 10], [1_000, 20]]}}, 422, "invalid_offer_terms"),
    ({**WINTER, "offer_id": "cash", "kind": "cashback", "terms": {"bps": 100}}, 422,
     "not_a_recharge_offer"),
])
async def test_a_draft_that_could_not_be_published_is_refused(bus_platform, draft, status, code):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        answer = await client.post("/v1/offers/preview", headers=CONFIG, json={
            "drafts": [draft], "recharge": {"amount": 10_000}})
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.headers["content-type"].startswith("application/problem+json")
