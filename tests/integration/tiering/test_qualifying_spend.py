"""What counts towards a tier, through the consumer: purchases net of refunds in the
rolling 12 months, recharges for lifetime recharge, membership purchases not at all; a
refund of a renewal revokes the term it bought."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.events.wallet import RechargeRefunded
from shared.topics import Topics
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import (
    deliver,
    purchase,
    recharge,
    refund,
    renewal,
    tiering_events,
)
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration


@pytest.fixture
def send(transport, bus_platform):
    async def deliver_and_wait(*events):
        before = len(await fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.inbox"))
        await deliver(transport.bus, Topics(bus_platform.topic_prefix), *events)
        await eventually(lambda: fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.inbox"),
                         lambda rows: len(rows) == before + len(events))
    return deliver_and_wait


async def tier_of(client, member_id: str) -> dict:
    response = await client.get(f"/v1/members/{member_id}/tier", headers=member_headers(member_id))
    assert response.status_code == 200, response.text
    return response.json()


async def test_progress_tells_the_member_what_is_left_to_the_next_tier(client, send):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_p"})
    await send(purchase("m_p", 876_000, START))
    shown = await tier_of(client, "m_p")
    assert (shown["tier"], shown["spend_12m"]) == ("silver", 876_000)
    assert shown["progress"]["message"] == "11,240 more to gold"
    assert shown["benefits"]["discount_bps"] == 300


async def test_a_refund_lowers_qualifying_spend_in_the_window_of_its_purchase(client, send, clock):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_r"})
    bought = purchase("m_r", 1_500_000, START)
    await send(bought)
    clock.advance(timedelta(days=40))
    await send(refund(bought, 400_000, clock.now()), refund(bought, 2_000_000, clock.now()))
    assert (await tier_of(client, "m_r"))["spend_12m"] == 0  # never below what was counted
    await send(purchase("m_r", 600_000, clock.now()))
    shown = await tier_of(client, "m_r")
    assert (shown["spend_12m"], shown["tier"]) == (600_000, "silver")
    clock.advance(timedelta(days=330))  # the first purchase (and its refunds) left the window
    assert (await tier_of(client, "m_r"))["spend_12m"] == 600_000


async def test_spend_older_than_twelve_months_does_not_count(client, send, clock):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_old"})
    await send(purchase("m_old", 300_000, START - timedelta(days=400)), purchase("m_old", 300_000, START))
    shown = await tier_of(client, "m_old")
    assert (shown["spend_12m"], shown["tier"]) == (300_000, "regular")


async def test_spend_before_enrolment_counts_when_the_member_enrols(client, send, bus_platform):
    await send(purchase("m_early", 2_500_000, START))
    enrolled = await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_early"})
    assert enrolled.json()["tier"] == "gold"
    [change] = await tiering_events(bus_platform.database_url, "TierChanged", "m_early")
    assert (change["from_tier"], change["to_tier"]) == ("regular", "gold")


async def test_buying_the_membership_does_not_earn_a_tier(client, send):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_m"})
    await send(renewal("m_m", 2, 600_000, START))
    assert (await tier_of(client, "m_m"))["spend_12m"] == 0


async def test_a_duplicate_purchase_id_counts_once(client, send):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_d"})
    await send(purchase("m_d", 100_000, START, purchase_id="p-same"),
               purchase("m_d", 100_000, START, purchase_id="p-same"))
    assert (await tier_of(client, "m_d"))["spend_12m"] == 100_000


async def test_lifetime_recharge_qualifies_when_the_rules_say_so(client, send, bus_platform):
    rules = {"measure": "lifetime_recharge", "tiers": [
        {"name": "regular"}, {"name": "gold", "recharge_threshold": 1_000_000}]}
    config = ops_headers("ops:config", user="ops_mei")
    before = await client.get("/v1/tiers/rules", headers=config)
    published = await client.post("/v1/tiers/rules", headers=config, json=rules)
    assert published.status_code == 201 and published.json()["version"] == 1
    history = (await client.get("/v1/tiers/rules", headers=config)).json()["items"]
    assert before.json() == {"items": []}
    assert [(v["version"], v["measure"], v["created_by"]) for v in history] == [
        (1, "lifetime_recharge", "ops:ops_mei")]
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_c"})
    await send(recharge("m_c", 600_000, START, 600_000), purchase("m_c", 5_000_000, START))
    assert (await tier_of(client, "m_c"))["tier"] == "regular"
    await send(recharge("m_c", 400_000, START, 1_000_000))
    shown = await tier_of(client, "m_c")
    assert (shown["tier"], shown["lifetime_recharge"], shown["rules_version"]) == ("gold", 1_000_000, 1)
    [change] = await tiering_events(bus_platform.database_url, "TierChanged", "m_c")
    assert "lifetime recharge" in change["reason"]


async def test_a_refunded_recharge_does_not_count_towards_lifetime_recharge(client, send):
    rules = {"measure": "lifetime_recharge", "tiers": [
        {"name": "regular"}, {"name": "gold", "recharge_threshold": 1_000_000}]}
    published = await client.post("/v1/tiers/rules", headers=ops_headers("ops:config"), json=rules)
    assert published.status_code == 201
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_back"})
    paid = recharge("m_back", 900_000, START, 900_000)
    await send(paid, RechargeRefunded(
        occurred_at=START, member_id="m_back", refund_id="rf-back", recharge_id=paid.recharge_id,
        currency="CNY", principal_refunded=900_000, bonus_clawed_back=0))
    await send(recharge("m_back", 100_000, START, 1_000_000))  # 1,000,000 gross, 100,000 net
    shown = await tier_of(client, "m_back")
    assert (shown["tier"], shown["lifetime_recharge"]) == ("regular", 100_000)


async def test_refunding_a_renewal_revokes_its_term_and_closes_the_gap(client, send, bus_platform):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_v"})
    first, second, third = (renewal("m_v", 1, 32_400, START + timedelta(minutes=n)) for n in range(3))
    await send(first, second, third)
    await send(refund(second, 32_400, START + timedelta(days=1)))
    terms = await client.get("/v1/members/m_v/membership/terms", headers=member_headers("m_v"))
    spans = [(t["term_start"][:10], t["term_end"][:10]) for t in terms.json()["items"]]
    assert spans == [("2028-03-01", "2029-03-01"), ("2027-03-01", "2028-03-01")]
    await send(refund(third, 1_000, START + timedelta(days=2)))  # a price adjustment, not a revocation
    membership = await client.get("/v1/members/m_v/membership", headers=member_headers("m_v"))
    assert membership.json()["term_end"].startswith("2029-03-01")
    due = await fetch_all(bus_platform.database_url,
                          "SELECT purchase_id FROM tiering.membership_terms WHERE next_due_at IS NOT NULL")
    assert [row["purchase_id"] for row in due] == [third.purchase_id]
