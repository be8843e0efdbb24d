"""Renewal offers on real PostgreSQL: for members in every segment and every membership
status, the quote for 2 years costs less per year than the one for 1 year; the first-renewal
offer applies to a member's first renewal only; a refunded renew-and-upgrade takes its tier
grant back with the term, and one stacked on the current term gives the tier for exactly
its term (from the scheduler when it starts); the composition's edges (the floor, every component at once, the
one rounding) as the API answers them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.events.wallet import PurchaseItem
from shared.jobs import job_lock_key
from tests.integration.tiering.conftest import START
from tests.integration.tiering.test_tiers_quotes_reports_api import feed
from tests.integration.tiering.wallet_events import purchase, refund, renewal, tiering_events
from tests.support.auth import member_headers, pos_headers
from tests.support.runtime import running

pytestmark = pytest.mark.integration
SPEND = {"potential": 100_000, "growing": 1_000_000, "core": 2_500_000}


async def grants(client, member_id: str) -> list[dict]:
    listed = await client.get(f"/v1/members/{member_id}/tier-grants", headers=member_headers(member_id))
    return listed.json()["items"]


async def tier(client, member_id: str) -> str:
    shown = await client.get(f"/v1/members/{member_id}/tier", headers=member_headers(member_id))
    return shown.json()["tier"]


async def offer(client, member_id: str) -> dict:
    quoted = await client.get(f"/v1/members/{member_id}/renewal-quotes", headers=member_headers(member_id))
    assert quoted.status_code == 200, quoted.text
    return quoted.json()


def per_year_order(body: dict) -> None:
    one, two = body["quotes"]
    assert (one["years"], two["years"]) == (1, 2)
    assert two["price"] * 1 < one["price"] * 2, body  # strictly cheaper per year
    assert two["upgrade"]["price"] * 1 < one["upgrade"]["price"] * 2, body


async def test_two_years_cost_less_per_year_for_every_segment_and_status(
        client, tiering, transport, bus_platform, clock):
    for name, spend in SPEND.items():
        await client.post("/v1/members", headers=pos_headers(), json={"member_id": f"m_{name}"})
        await feed(transport, bus_platform, purchase(f"m_{name}", spend, START))
    seen = set()
    for name in SPEND:
        body = await offer(client, f"m_{name}")
        assert (body["segment"], body["status"]) == (name, "none")
        per_year_order(body)
        seen.add((body["segment"], body["status"]))
        await feed(transport, bus_platform, renewal(f"m_{name}", 1, body["quotes"][0]["price"], START))
    # active (early), expiring, grace, expired; the same spend again on day 366, just after
    # the first purchase left the rolling year, keeps each member in their segment
    for days, status in ((200, "active"), (350, "expiring"), (370, "grace"), (390, "expired")):
        if days == 370:
            clock.advance(START + timedelta(days=366) - clock.now())
            await feed(transport, bus_platform,
                       *(purchase(f"m_{name}", spend, clock.now()) for name, spend in SPEND.items()))
        clock.advance(START + timedelta(days=days) - clock.now())
        for name in SPEND:
            body = await offer(client, f"m_{name}")
            assert (body["segment"], body["status"]) == (name, status)
            per_year_order(body)
            seen.add((body["segment"], body["status"]))
    assert len(seen) == 15


async def test_the_first_renewal_offer_applies_once(client, tiering, transport, bus_platform, clock):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_first"})
    before = await offer(client, "m_first")
    assert before["first_renewal"] is False  # buying the first term is not a renewal
    await feed(transport, bus_platform, renewal("m_first", 1, before["quotes"][0]["price"], START))
    clock.advance(timedelta(days=340))
    first = await offer(client, "m_first")
    assert first["first_renewal"] is True
    assert [c["kind"] for c in first["quotes"][0]["components"]] == [
        "segment", "first_renewal", "length"]
    await feed(transport, bus_platform, renewal("m_first", 1, first["quotes"][0]["price"], clock.now()))
    clock.advance(timedelta(days=360))
    second = await offer(client, "m_first")
    assert second["first_renewal"] is False
    assert [c["kind"] for c in second["quotes"][0]["components"]] == ["segment", "length"]
    assert second["quotes"][0]["price"] > first["quotes"][0]["price"]


async def test_a_refunded_renew_and_upgrade_takes_the_grant_back_with_the_term(
        client, tiering, transport, bus_platform):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_up"})
    upgrade = PurchaseItem(sku="membership-1y-upgrade", category="membership", quantity=1,
                           amount=33_120, quote_id=f"q-{uuid.uuid4().hex}")
    bought = purchase("m_up", 33_120, START, upgrade)
    await feed(transport, bus_platform, bought)
    [grant] = await grants(client, "m_up")
    [term] = (await client.get("/v1/members/m_up/membership/terms",
                               headers=member_headers("m_up"))).json()["items"]
    assert (grant["tier"], grant["source"], grant["purchase_id"], grant["state"]) == (
        "silver", "renewal", bought.purchase_id, "active")
    assert (grant["starts_at"], grant["expires_at"]) == (term["term_start"], term["term_end"])
    [up] = await tiering_events(bus_platform.database_url, "TierChanged", "m_up")
    assert (up["to_tier"], up["grant_id"]) == ("silver", grant["grant_id"])

    await feed(transport, bus_platform, refund(bought, 33_120, START + timedelta(days=1)))
    [grant] = await grants(client, "m_up")
    assert (grant["state"], grant["revoked_by"]) == ("revoked", "refund")


EDGES = TieringSettings(scheduler_interval_seconds=3600, price_per_year=100,
                        renewal_floor_per_year=50, win_back_bps=9000,
                        segment_discount_bps={"potential": 3333, "growing": 9000, "core": 9000})


async def test_composition_edges_the_floor_every_component_and_one_rounding(
        bus_platform, transport, clock):
    async with (running(TIERING, bus_platform, transport, clock=clock, settings=EDGES) as service,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app),
                                  base_url="http://tiering") as client):
        for member in ("m_round", "m_floor"):
            await client.post("/v1/members", headers=pos_headers(), json={"member_id": member})
        rounded = await offer(client, "m_round")
        # 100 x 0.6667 x 0.9 = 60.003 -> 60 (rounding after the segment would give 59);
        # 2 years: 66.67 x 2 x 0.8 = 106.672 -> 106
        assert [q["price"] for q in rounded["quotes"]] == [60, 106]

        await feed(transport, bus_platform, renewal("m_floor", 1, 90, START))
        clock.advance(timedelta(days=300))
        await feed(transport, bus_platform, purchase("m_floor", 2_500_000, clock.now()))
        clock.advance(timedelta(days=100))  # lapsed past the grace, still core
        floored = await offer(client, "m_floor")
        assert (floored["segment"], floored["status"]) == ("core", "expired")
        one, two = floored["quotes"]
        # 100 x 0.1 (core) x 0.1 (win-back) = 1 a year, below the floor of 50: 50, then the length
        assert [(c["kind"], c["bps"]) for c in two["components"]] == [
            ("segment", 9000), ("win_back", 9000), ("length", 2000)]
        assert (one["price"], two["price"], one["floor_applied"], two["floor_applied"]) == (
            45, 80, True, True)


async def test_a_stacked_renew_and_upgrade_gives_the_tier_for_exactly_its_term(
        client, tiering, transport, bus_platform, clock):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_stack"})
    await feed(transport, bus_platform, renewal("m_stack", 1, 25_920, START))  # to 2028-03-01
    clock.advance(timedelta(days=100))
    upgrade = PurchaseItem(sku="membership-1y-upgrade", category="membership", quantity=1,
                           amount=30_528, quote_id=f"q-{uuid.uuid4().hex}")
    await feed(transport, bus_platform, purchase("m_stack", 30_528, clock.now(), upgrade))
    second, first = (await client.get("/v1/members/m_stack/membership/terms",
                                      headers=member_headers("m_stack"))).json()["items"]
    [grant] = await grants(client, "m_stack")
    assert (grant["state"], grant["starts_at"], grant["expires_at"]) == (
        "scheduled", second["term_start"], second["term_end"])
    assert second["term_start"] == first["term_end"]
    scheduler = TieringScheduler(tiering.context)

    starts = datetime.fromisoformat(second["term_start"])
    clock.advance(starts - timedelta(seconds=1) - clock.now())
    await scheduler.run_once(clock.now())
    assert await tier(client, "m_stack") == "regular"
    clock.advance(timedelta(seconds=1))  # the upgraded term starts
    async with tiering.context.engine.connect() as leader:  # another replica leads
        lock = {"k": job_lock_key("tiering.tier_grants")}
        await leader.execute(text("SELECT pg_advisory_lock(:k)"), lock)
        assert (await scheduler.run_once(clock.now())).grants_started == 0
        await leader.execute(text("SELECT pg_advisory_unlock(:k)"), lock)
    assert (await scheduler.run_once(clock.now())).grants_started == 1
    assert (await scheduler.run_once(clock.now())).grants_started == 0  # once only
    assert await tier(client, "m_stack") == "silver"
    [up] = await tiering_events(bus_platform.database_url, "TierChanged", "m_stack")
    assert (up["to_tier"], up["grant_id"], up["effective_at"]) == (
        "silver", grant["grant_id"], second["term_start"].replace("+00:00", "Z"))

    clock.advance(START.replace(year=2028) + timedelta(days=30) - clock.now())
    await scheduler.run_once(clock.now())  # the review while the grant is active: silver held
    assert await tier(client, "m_stack") == "silver"
    clock.advance(START.replace(year=2029) + timedelta(days=30) - clock.now())
    await scheduler.run_once(clock.now())  # the review after the term ended: back to earned
    assert await tier(client, "m_stack") == "regular"
