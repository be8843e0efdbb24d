"""The review queue, points, tier projection and the program report through the API on
PostgreSQL (events applied through rewards' own handlers)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.clock import FrozenClock
from shared.events.referral import ReferralQualified
from shared.events.tiering import TierChanged
from shared.http.paging import encode_cursor
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply, purchase, recharge
from tests.support.auth import member_headers, ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
REVIEWER = ops_headers("ops:review")


async def test_the_review_queue_pages_with_a_cursor_and_reject_is_final(bus_platform):
    held = [recharge(f"m_held_{n}", 300_000, first=True, lifetime=300_000) for n in range(3)]
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        for event in held:
            await apply(rewards, event)
        first = (await client.get("/v1/reviews?limit=2", headers=REVIEWER)).json()
        second = (await client.get(f"/v1/reviews?limit=2&cursor={first['next_cursor']}",
                                   headers=REVIEWER)).json()
        grant = first["items"][0]["grant_id"]
        rejected = await client.post(f"/v1/reviews/{grant}/reject", headers=REVIEWER,
                                     json={"note": "card reported stolen"})
        approve_after = await client.post(f"/v1/reviews/{grant}/approve", headers=REVIEWER,
                                          json={"note": "oops"})
        unknown = await client.post(f"/v1/reviews/{uuid.uuid4()}/approve", headers=REVIEWER,
                                    json={"note": "x"})
        no_note = await client.post(f"/v1/reviews/{grant}/approve", headers=REVIEWER, json={})
        bad_cursor = await client.get("/v1/reviews?cursor=nope", headers=REVIEWER)
        # well-formed cursors whose key is not (an aware time, a recharge id)
        odd_cursors = [await client.get(f"/v1/reviews?cursor={encode_cursor(key)}", headers=REVIEWER)
                       for key in (["not a time", "r-1"], ["2026-01-01T00:00:00", "r-1"],
                                   ["2026-01-01T00:00:00+00:00", 7])]
        not_reviewer = await client.get("/v1/reviews", headers=ops_headers("ops:config"))

    assert [i["recharge_id"] for i in first["items"] + second["items"]] == [
        e.recharge_id for e in held]
    assert second["next_cursor"] is None
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert (approve_after.status_code, approve_after.json()["code"]) == (409, "already_decided")
    assert approve_after.json()["status_now"] == "rejected"
    assert (unknown.status_code, unknown.json()["code"]) == (404, "decision_not_found")
    assert (no_note.status_code, bad_cursor.status_code, not_reviewer.status_code) == (422, 400, 403)
    assert bad_cursor.json()["code"] == "invalid_cursor"
    assert [(r.status_code, r.json()["code"]) for r in odd_cursors] == [(400, "invalid_cursor")] * 3
    outbox = await fetch_all(bus_platform.database_url,
                             "SELECT ce_type FROM rewards.outbox ORDER BY position")
    assert [r["ce_type"].split(".")[2] for r in outbox] == [
        "BonusHeld", "BonusHeld", "BonusHeld", "BonusRejected"]


async def test_points_follow_the_members_tier_and_buy_coupons(bus_platform):
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        await apply(rewards, TierChanged(
            occurred_at=datetime.now(UTC), member_id="m_gold", from_tier="silver", to_tier="gold",
            direction="up", reason="spend", qualifying_amount=1, currency="CNY",
            effective_at=datetime.now(UTC)))
        await apply(rewards, purchase("m_gold", total=40_000))  # 400 x gold 1.5 (tiering's default)
        buy = {"template_id": "save10_over100"}
        headers = {**member_headers("m_gold"), "Idempotency-Key": "buy-1"}
        bought = await client.post("/v1/members/m_gold/points/redemptions", json=buy, headers=headers)
        replay = await client.post("/v1/members/m_gold/points/redemptions", json=buy, headers=headers)
        broke = await client.post("/v1/members/m_gold/points/redemptions", json=buy,
                                  headers={**headers, "Idempotency-Key": "buy-2"})
        other = await client.get("/v1/members/m_other/points", headers=member_headers("m_gold"))
        balance = (await client.get("/v1/members/m_gold/points", headers=member_headers("m_gold"))).json()

    assert bought.status_code == 201 and bought.json()["balance"] == 100
    assert replay.content == bought.content and replay.headers["Idempotent-Replayed"] == "true"
    assert (broke.status_code, broke.json()["code"], broke.json()["balance"]) == (
        422, "insufficient_points", 100)
    assert other.status_code == 403
    assert balance["balance"] == 100 and [e["kind"] for e in balance["entries"]] == ["redeem", "earn"]


async def test_points_expire_first_in_first_out_and_a_referral_earns_by_rule(bus_platform):
    clock = FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    async with running(REWARDS, bus_platform, BusTransport(), clock=clock) as rewards, \
            api(rewards) as client:
        await apply(rewards, purchase("m_exp", total=10_000))  # 100 points, expire 2028-01-01
        await apply(rewards, ReferralQualified(
            occurred_at=clock.now(), member_id="m_exp", referral_id="ref-1", referrer_id="m_exp",
            invitee_id="m_friend", qualifying_event_id=uuid.uuid4(), qualifying_amount=1,
            currency="CNY"))
        clock.set(datetime(2027, 12, 31, tzinfo=UTC))
        early = (await client.post("/v1/points/expiry-runs", headers=ops_headers("ops:config"))).json()
        clock.set(datetime(2028, 1, 1, tzinfo=UTC))
        run = (await client.post("/v1/points/expiry-runs", headers=ops_headers("ops:config"))).json()
        again = (await client.post("/v1/points/expiry-runs", headers=ops_headers("ops:config"))).json()
        points = (await client.get("/v1/members/m_exp/points", headers=member_headers("m_exp"))).json()

    assert early == {"members": 0, "points_expired": 0}
    assert run == {"members": 1, "points_expired": 600} and again["points_expired"] == 0
    assert points["balance"] == 0
    assert sorted(e["reason"] for e in points["entries"] if e["kind"] == "earn") == [
        "purchase", "referral"]


async def test_the_program_report_shows_cost_liability_coupons_and_campaign_roi(bus_platform):
    start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        await client.post("/v1/offers/member_day/versions", headers=ops_headers("ops:config"), json={
            "kind": "campaign", "name": "Member day", "currency": "CNY",
            "terms": {"bonus_bps": 15_000}, "effective_from": start, "budget": 1_000_000})
        await apply(rewards, recharge("m_r1", 100_000))  # 20,000 + 10,000 campaign
        await apply(rewards, recharge("m_r2", 5_000))  # below the ladder
        await apply(rewards, purchase("m_r1", total=20_000))
        report = await client.get("/v1/reports/program", params={"from": start, "to": end},
                                  headers=ops_headers("ops:report"))
        backwards = await client.get("/v1/reports/program", params={"from": end, "to": start},
                                     headers=ops_headers("ops:report"))

    body = report.json()
    assert report.status_code == 200
    assert (body["recharge_volume"], body["bonus_cost"]) == (105_000, 30_000)
    assert body["bonus"]["rejected"] == {"decisions": 1, "amount": 0}
    assert body["points"]["earned"] == 200 and body["points"]["liability"] == 200
    assert body["campaigns"] == [{"offer_id": "member_day", "recharges": 1, "cost": 10_000,
                                  "recharge_volume": 100_000, "volume_per_cost_unit": 10.0}]
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")


async def test_a_second_event_about_the_same_purchase_or_referral_earns_nothing_more(bus_platform):
    bought = purchase("m_twice", total=10_000)
    qualified = ReferralQualified(
        occurred_at=datetime.now(UTC), member_id="m_twice", referral_id="ref-9",
        referrer_id="m_twice", invitee_id="m_pal", qualifying_event_id=uuid.uuid4(),
        qualifying_amount=1, currency="CNY")
    async with running(REWARDS, bus_platform, BusTransport()) as rewards, api(rewards) as client:
        for event in (bought, qualified):
            await apply(rewards, event)
            await apply(rewards, event.model_copy(update={"event_id": uuid.uuid4()}))
        points = (await client.get("/v1/members/m_twice/points",
                                   headers=member_headers("m_twice"))).json()
    assert points["balance"] == 100 + 500 and len(points["entries"]) == 2
