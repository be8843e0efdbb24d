"""The KPIs on real PostgreSQL, on a fixed history (kpi_history.py) fed through rewards'
own handlers, against answers computed by hand here; filtered by store and by segment; as
CSV; refused with stable codes; and a member's erasure takes their rows out."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from services.rewards.service import SPEC as REWARDS
from shared.clock import FrozenClock
from shared.events.tiering import MemberErasureStarted
from shared.events.wallet import BonusCredited
from shared.messaging.batches import BatchHandler
from shared.runtime import ServiceRuntime
from shared.service import bind_settings
from shared.transport import BusTransport
from tests.integration.rewards.feed import api, apply
from tests.integration.rewards.kpi_history import FROM, NOW, TO, at, history
from tests.support.auth import ops_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
REPORT = ops_headers("ops:report")
PERIOD = {"from": FROM, "to": TO}


@pytest.fixture
async def rewards(bus_platform) -> AsyncIterator[ServiceRuntime]:
    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(NOW)) as runtime:
        for event in history():
            await apply(runtime, event)
        async with runtime.context.uow() as uow:  # rewards' own books: reviews and referrals
            db = uow.connection
            for n, (status, seconds) in enumerate([("granted", 600), ("rejected", 1_200),
                                                    ("granted", 3_600)]):
                await db.exec_driver_sql(
                    "INSERT INTO bonus_decisions (recharge_id, grant_id, member_id, currency, "
                    "recharge_amount, amount, status, rules, reasons, risk_score, decided_at, "
                    "reviewed_by, reviewed_at) VALUES ($1, $2, 'm_a', 'CNY', 100000, 1000, $3, "
                    "'[]', '[]', 90, $4, 'ops_bob', $5)",
                    (f"held-{n}", uuid.uuid4(), status, at(10), at(10) + timedelta(seconds=seconds)))
            for referral, points in (("ref-1", 500), ("ref-2", 300)):
                await db.exec_driver_sql(
                    "INSERT INTO referral_rewards (referral_id, referrer_id, invitee_id, points, "
                    "status, granted_at) VALUES ($1, 'm_a', 'm_c', $2, 'granted', $3)",
                    (referral, points, at(11)))
            await db.exec_driver_sql(
                "INSERT INTO segments (segment_id, version, name, kind, rule, created_by, "
                "created_at) VALUES ('a_and_d', 1, 'A and D', 'list', NULL, 'ops', $1)", (NOW,))
            for member in ("m_a", "m_d"):
                await db.exec_driver_sql(
                    "INSERT INTO segment_members (segment_id, member_id, since) "
                    "VALUES ('a_and_d', $1, $2)", (member, NOW))
        yield runtime


async def kpis(runtime: ServiceRuntime, **query: str) -> dict[str, dict]:
    async with api(runtime) as client:
        answer = await client.get("/v1/kpis", params={**PERIOD, **query}, headers=REPORT)
    assert answer.status_code == 200, answer.text
    return {kpi["name"]: kpi for kpi in answer.json()["kpis"]}


def figures(found: dict[str, dict]) -> dict[str, tuple]:
    return {name: (kpi["value"], kpi["numerator"], kpi["denominator"])
            for name, kpi in found.items()}


async def test_every_kpi_matches_the_hand_computed_answer(rewards):
    found = await kpis(rewards)
    # active this week: a, b, d (c only the week before); revenue net of b's refund
    revenue = 10_000 + 20_000 + 30_000 - 5_000 + 7_000
    assert figures(found) == {
        "active_members": (3, None, None),
        "daily_active_members": (4 // 7, 4, 7),  # a on 03-09 and 03-10, b on 03-11, d on 03-13
        "recharge_conversion": (2 * 10_000 // 3, 2, 3),  # a and d recharged
        "arpu": (revenue // 3, revenue, 3),
        "average_order_value": (revenue // 4, revenue, 4),
        "repeat_purchase_rate": (1 * 10_000 // 3, 1, 3),  # a bought twice
        "churn_rate": (5_000, 1, 2),  # b and c active before; c is gone
        "paid_member_share": (2 * 10_000 // 3, 2, 3),  # a's and b's terms overlap the week
        "paid_member_revenue_share": (55_000 * 10_000 // revenue, 55_000, revenue),
        "renewal_rate": (5_000, 1, 2),  # a's term ending 03-10 renewed, b's (03-12) not
        "referral_share": (2 * 10_000 // 3, 2, 3),  # a and c of a, b, c
        "points_per_qualified_referral": (400, 800, 2),
        "tier_distribution": (2, None, None),
        "tier_moves": (2, None, None),
        "bonus_cost": (5_000 + 1_000, None, None),
        "breakage": (2_000, None, None),
        "bonus_liability": (4_000 + 5_000 + 1_000 - 3_000 - 2_000, None, None),
        "review_turnaround_median_seconds": (1_200, None, 3),
        "review_turnaround_p90_seconds": (3_600, None, 3),
        "notification_reach": (2 * 10_000 // 3, 2, 3),  # a and d reached, b's failed
        "opt_out_rate": (1 * 10_000 // 3, 1, 3),  # d opted out of marketing; c's was not
    }
    assert found["renewal_rate"]["breakdown"] == [
        {"key": "2027-03", "value": 5_000, "numerator": 1, "denominator": 2}]
    assert {b["key"]: b["value"] for b in found["tier_distribution"]["breakdown"]} == {
        "gold": 1, "regular": 1}
    assert {b["key"]: b["value"] for b in found["tier_moves"]["breakdown"]} == {"up": 1, "down": 1}


async def test_a_store_and_a_segment_cut_the_figures(rewards):
    store_1 = figures(await kpis(rewards, store_id="store_1"))
    # at store_1: a (bought 10,000, recharged) and b (bought 30,000; the refund has no store)
    assert store_1["active_members"] == (2, None, None)
    assert store_1["recharge_conversion"] == (5_000, 1, 2)
    assert store_1["arpu"] == (20_000, 40_000, 2)
    assert store_1["referral_share"] == (10_000, 2, 2)  # enrolled at store_1: a and c, referred
    assert store_1["bonus_cost"] == (None, None, None)  # no store on a bonus credit
    segment = figures(await kpis(rewards, segment_id="a_and_d"))
    assert segment["active_members"] == (2, None, None)
    assert segment["arpu"] == (18_500, 37_000, 2)
    assert segment["bonus_cost"] == (6_000, None, None)


async def test_one_kpi_as_csv_and_the_refusals(rewards):
    async with api(rewards) as client:
        one = await client.get("/v1/kpis/arpu", params={**PERIOD, "format": "csv"}, headers=REPORT)
        assert one.status_code == 200 and one.headers["content-type"].startswith("text/csv")
        assert list(csv.reader(io.StringIO(one.text))) == [
            ["name", "key", "value", "unit", "numerator", "denominator"],
            ["arpu", "", "20666", "minor_units", "62000", "3"]]
        accepted = await client.get("/v1/kpis", params=PERIOD,
                                    headers={**REPORT, "Accept": "text/csv"})
        assert accepted.headers["content-type"].startswith("text/csv")
        refusals = {
            "kpi_not_found": await client.get("/v1/kpis/nps", params=PERIOD, headers=REPORT),
            "segment_not_found": await client.get("/v1/kpis", headers=REPORT, params={
                **PERIOD, "segment_id": "nobody"}),
            "invalid_period": await client.get("/v1/kpis", headers=REPORT, params={
                "from": TO, "to": FROM}),
            "period_too_long": await client.get("/v1/kpis", headers=REPORT, params={
                "from": "2025-01-01", "to": "2027-01-01"}),
            "date_out_of_range": await client.get("/v1/kpis", headers=REPORT, params={
                "from": "0001-01-01", "to": "0001-01-02"}),
        }
        refused = await client.get("/v1/kpis", params=PERIOD, headers=ops_headers("ops:config"))
    assert {code: (r.status_code, r.json()["code"]) for code, r in refusals.items()} == {
        "kpi_not_found": (404, "kpi_not_found"), "segment_not_found": (404, "segment_not_found"),
        "invalid_period": (422, "invalid_period"), "period_too_long": (422, "period_too_long"),
        "date_out_of_range": (422, "date_out_of_range")}
    assert refused.status_code == 403


async def test_an_erased_member_leaves_the_kpis(rewards):
    await apply(rewards, MemberErasureStarted(occurred_at=NOW, member_id="m_a",
                                              request_id=uuid.uuid4(), reason="request"))
    after = figures(await kpis(rewards))
    assert after["active_members"] == (2, None, None)  # b and d
    assert after["referral_share"] == (5_000, 1, 2)  # c of b, c
    assert after["renewal_rate"] == (0, 0, 1)  # b's term alone


async def test_credited_bonuses_count_the_same_as_one_batch_as_one_by_one(bus_platform):
    # BonusCredited is a batch handler (one statement for a fetched batch): a batch of three,
    # one in a currency other than the report's, adds what applying each alone adds
    def credits(side: str) -> list[BonusCredited]:
        return [BonusCredited(occurred_at=at(day), member_id=f"{side}-{member}",
                              grant_id=uuid.uuid4(), recharge_id=f"r-{uuid.uuid4().hex[:8]}",
                              amount=amount, currency=currency, bonus_balance=amount)
                for member, amount, currency, day in (("m1", 500, "CNY", 3), ("m2", 700, "USD", 3),
                                                      ("m1", 300, "CNY", 3), ("m1", 200, "CNY", 4))]

    async with running(REWARDS, bus_platform, BusTransport(), clock=FrozenClock(NOW)) as runtime:
        [handler] = bind_settings(runtime.spec.handlers, runtime.context.settings)[BonusCredited]
        assert isinstance(handler, BatchHandler)
        async with runtime.context.uow() as uow:
            await handler.apply(credits("batch"), uow)
        for event in credits("alone"):
            await apply(runtime, event)
        rows = await fetch_all(runtime.platform.database_url,
                               "SELECT split_part(member_id, '-', 1) AS side, "
                               "split_part(member_id, '-', 2) AS member, day, bonus_credited "
                               "FROM rewards.kpi_member_days ORDER BY member, day, side")
    by_side = {side: [(r["member"], r["day"], r["bonus_credited"]) for r in rows if r["side"] == side]
               for side in ("batch", "alone")}
    assert by_side["batch"] == by_side["alone"]
    assert [(member, amount) for member, _, amount in by_side["batch"]] == [
        ("m1", 800), ("m1", 200), ("m2", 0)]
