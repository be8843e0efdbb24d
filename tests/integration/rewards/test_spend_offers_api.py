"""The spend offers through the API on PostgreSQL: bad terms get a stable problem code, and
the till's member-day lookup answers today's discount for a category and a line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.clock import FrozenClock
from shared.transport import BusTransport
from tests.integration.rewards.feed import api
from tests.support.auth import ops_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration
CONFIG = ops_headers("ops:config")
WEDNESDAY = datetime(2026, 11, 25, 4, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize("body,code", [
    ({"kind": "cashback", "name": "x", "terms": {"bps": 500}}, "currency_required"),
    ({"kind": "cashback", "name": "x", "currency": "CNY", "terms": {}}, "invalid_offer_terms"),
    ({"kind": "cashback", "name": "x", "currency": "CNY", "terms": {"bps": 10_001}},
     "invalid_offer_terms"),
    ({"kind": "spend_and_save", "name": "x", "currency": "CNY",
      "terms": {"thresholds": [[300, 20], [100, 5]]}}, "invalid_offer_terms"),
    ({"kind": "first_n_gift", "name": "x", "currency": "CNY", "terms": {"n": 5}},
     "invalid_offer_terms"),
    ({"kind": "member_day_discount", "name": "x", "terms": {"weekday": 2, "category": "c",
                                                           "bps": 500}, "budget": 100},
     "budget_not_applicable"),
])
async def test_bad_spend_offers_get_a_stable_problem_code(bus_platform, body, code):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        response = await client.post("/v1/offers/spend_x/versions", headers=CONFIG, json=body)
    assert (response.status_code, response.json()["code"]) == (422, code)


async def test_the_till_reads_todays_member_day_discount(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(WEDNESDAY)) as rewards, \
            api(rewards) as client:
        for offer_id, weekday, bps in (("wed_coffee", 2, 2_000), ("thu_coffee", 3, 5_000)):
            made = await client.post(f"/v1/offers/{offer_id}/versions", headers=CONFIG, json={
                "kind": "member_day_discount", "name": offer_id, "effective_from":
                "2026-01-01T00:00:00Z", "terms": {"weekday": weekday, "category": "coffee",
                                                  "bps": bps}})
            assert made.status_code == 201, made.text
        coffee = (await client.get("/v1/offers/member-day?category=coffee&amount=3000")).json()
        cake = (await client.get("/v1/offers/member-day?category=cake")).json()

    assert coffee["weekday"] == 2
    assert [(i["offer_id"], i["bps"], i["discount"]) for i in coffee["items"]] == [
        ("wed_coffee", 2_000, 600)]
    assert cake["items"] == []
