"""Entitlements on real PostgreSQL: gold's 3 free services a year are redeemed three times
and refused the fourth (also when ten tills try at once), a retried redemption replays its
answer, a term grants its perks, ops reverse a redemption with a reason, publish new
definitions, and read the usage report."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.topics import Topics
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import deliver, purchase, renewal, tiering_events
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
# START is 2027-03-01 09:00 UTC; the merchant's year (Asia/Shanghai) ends 2027-12-31 16:00 UTC.
YEAR_END = datetime(2027, 12, 31, 16, tzinfo=UTC)


@pytest.fixture
def send(transport, bus_platform):
    async def deliver_and_wait(*events):
        before = len(await fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.inbox"))
        await deliver(transport.bus, Topics(bus_platform.topic_prefix), *events)
        await eventually(lambda: fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.inbox"),
                         lambda rows: len(rows) == before + len(events))
    return deliver_and_wait


@pytest.fixture
def redeem(client):
    async def redeem_once(member_id: str, code: str = "free_service", key: str | None = None,
                          terminal: str = "pos_1"):
        return await client.post(
            f"/v1/members/{member_id}/entitlements/{code}/redemptions",
            headers={**pos_headers(terminal=terminal), "Idempotency-Key": key or uuid.uuid4().hex})
    return redeem_once


async def gold_member(client, send, member_id: str) -> None:
    enrolled = await client.post("/v1/members", headers=pos_headers(), json={"member_id": member_id})
    assert enrolled.status_code == 201, enrolled.text
    await send(purchase(member_id, 2_100_000, START))


async def held(client, member_id: str) -> dict[str, dict]:
    response = await client.get(f"/v1/members/{member_id}/entitlements",
                                headers=member_headers(member_id))
    assert response.status_code == 200, response.text
    return {item["code"]: item for item in response.json()["items"]}


async def test_three_free_services_a_year_then_the_fourth_is_refused(client, send, redeem, bus_platform):
    await gold_member(client, send, "m_gold")
    [granted] = await tiering_events(bus_platform.database_url, "EntitlementGranted", "m_gold")
    assert (granted["code"], granted["quota"], granted["granted_for"], granted["tier"]) == (
        "free_service", 3, "tier", "gold")
    shown = (await held(client, "m_gold"))["free_service"]
    assert (shown["quota"], shown["remaining"], shown["name"]["en"]) == (3, 3, "Free service")
    assert datetime.fromisoformat(shown["period_end"]) == YEAR_END

    receipts = [await redeem("m_gold", terminal=f"pos_{n}") for n in range(3)]
    assert [r.status_code for r in receipts] == [201, 201, 201], receipts[-1].text
    assert [r.json()["remaining"] for r in receipts] == [2, 1, 0]
    assert receipts[1].json()["terminal_id"] == "pos_1" and receipts[1].json()["store_id"] == "store_1"
    fourth = await redeem("m_gold")
    assert fourth.status_code == 409
    assert fourth.headers["content-type"].startswith("application/problem+json")
    assert fourth.json()["code"] == "entitlement_used_up"
    assert (await held(client, "m_gold"))["free_service"]["remaining"] == 0
    redeemed = await tiering_events(bus_platform.database_url, "EntitlementRedeemed", "m_gold")
    assert [(e["used"], e["quota"], e["terminal_id"]) for e in redeemed] == [
        (1, 3, "pos_0"), (2, 3, "pos_1"), (3, 3, "pos_2")]


async def test_ten_tills_at_once_redeem_exactly_three(client, send, redeem, bus_platform):
    await gold_member(client, send, "m_rush")
    answers = await asyncio.gather(*(redeem("m_rush", terminal=f"pos_{n}") for n in range(10)))
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 7
    [row] = await fetch_all(bus_platform.database_url,
                            "SELECT used, quota FROM tiering.entitlements WHERE member_id = 'm_rush'")
    assert (row["used"], row["quota"]) == (3, 3)
    rows = await fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.entitlement_redemptions "
                           "WHERE member_id = 'm_rush'")
    assert len(rows) == 3


async def test_a_retried_redemption_replays_the_first_answer(client, send, redeem, bus_platform):
    await gold_member(client, send, "m_retry")
    first = await redeem("m_retry", key="till-7-0001")
    again = await redeem("m_retry", key="till-7-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    assert (await held(client, "m_retry"))["free_service"]["remaining"] == 2
    missing_key = await client.post("/v1/members/m_retry/entitlements/free_service/redemptions",
                                    headers=pos_headers())
    assert missing_key.status_code in (400, 422) and "code" in missing_key.json()


async def test_no_entitlement_a_flag_benefit_and_who_may_redeem(client, send, redeem):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_regular"})
    refused = await redeem("m_regular")
    assert (refused.status_code, refused.json()["code"]) == (404, "entitlement_not_granted")
    unknown = await redeem("m_regular", code="massage")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "benefit_not_found")
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_diamond"})
    await send(purchase("m_diamond", 5_000_000, START))
    assert (await held(client, "m_diamond"))["priority_support"]["quota"] == 0
    flag = await redeem("m_diamond", code="priority_support")
    assert (flag.status_code, flag.json()["code"]) == (422, "entitlement_not_redeemable")
    by_member = await client.post("/v1/members/m_diamond/entitlements/free_service/redemptions",
                                  headers={**member_headers("m_diamond"), "Idempotency-Key": "k1"})
    assert by_member.status_code == 403  # the member's app cannot redeem at a till


async def test_a_term_grants_its_perks_for_its_span(client, send, bus_platform):
    await client.post("/v1/members", headers=pos_headers(), json={"member_id": "m_term"})
    await send(renewal("m_term", 2, 57_600, START))
    [granted] = await tiering_events(bus_platform.database_url, "EntitlementGranted", "m_term")
    [term] = await tiering_events(bus_platform.database_url, "MembershipRenewed", "m_term")
    assert (granted["code"], granted["quota"], granted["term_id"]) == (
        "quarterly_perk", 8, term["term_id"])  # 4 a year, two years
    assert (granted["period_start"], granted["period_end"]) == (term["term_start"], term["term_end"])


async def test_ops_reverse_a_redemption_with_a_reason_once(client, send, redeem, bus_platform):
    await gold_member(client, send, "m_undo")
    redemption_id = (await redeem("m_undo")).json()["redemption_id"]
    path = f"/v1/entitlement-redemptions/{redemption_id}/reversal"
    assert (await client.post(path, headers=ops_headers("ops:report"),
                              json={"reason": "wrong member"})).status_code == 403
    blank = await client.post(path, headers=ops_headers("ops:adjust"), json={"reason": "  "})
    assert blank.status_code == 422
    reversed_ = await client.post(path, headers=ops_headers("ops:adjust"),
                                  json={"reason": "redeemed on the wrong member"})
    assert reversed_.status_code == 200, reversed_.text
    assert (reversed_.json()["remaining"], reversed_.json()["reversed_by"]) == (3, "ops:ops_alice")
    again = await client.post(path, headers=ops_headers("ops:adjust"), json={"reason": "twice"})
    assert (again.status_code, again.json()["code"]) == (409, "redemption_already_reversed")
    [row] = await fetch_all(bus_platform.database_url, "SELECT reversal_reason, reversed_by FROM "
                            "tiering.entitlement_redemptions WHERE member_id = 'm_undo'")
    assert tuple(row) == ("redeemed on the wrong member", "ops:ops_alice")
    [event] = await tiering_events(bus_platform.database_url, "EntitlementRedemptionReversed", "m_undo")
    assert (event["used"], event["redemption_id"]) == (0, redemption_id)
    audited = await fetch_all(bus_platform.database_url, "SELECT actor, route, status FROM "
                              "tiering.ops_audit WHERE route LIKE '%reversal' ORDER BY audit_id")
    assert [(r["actor"], r["status"]) for r in audited][-2:] == [("ops:ops_alice", 200),
                                                                 ("ops:ops_alice", 409)]


async def test_new_definitions_govern_later_grants_and_the_report_counts_usage(
        client, send, redeem, clock):
    config = ops_headers("ops:config")
    bad = await client.post("/v1/entitlements/definitions", headers=config, json={"benefits": [
        {"code": "spa", "name": {"zh": "水疗", "en": "Spa"}, "quota": 1, "period": "tier_year",
         "tiers": ["platinum"]}]})
    assert (bad.status_code, bad.json()["code"]) == (422, "unknown_tier")
    published = await client.post("/v1/entitlements/definitions", headers=config, json={"benefits": [
        {"code": "spa", "name": {"zh": "水疗", "en": "Spa"}, "quota": 1, "period": "tier_year",
         "tiers": ["silver", "gold"]}]})
    assert (published.status_code, published.json()["version"]) == (201, 1)
    assert (await client.get("/v1/entitlements/definitions", headers=config)).json() == published.json()
    await gold_member(client, send, "m_spa")
    assert set(await held(client, "m_spa")) == {"spa"}
    assert (await redeem("m_spa", code="spa")).status_code == 201
    assert (await redeem("m_spa", code="spa")).json()["code"] == "entitlement_used_up"
    clock.advance(timedelta(days=365))  # 2028: still gold, a new year's spa at the first visit
    next_year = await redeem("m_spa", code="spa")
    assert next_year.status_code == 201, next_year.text
    report = await client.get("/v1/reports/entitlements", headers=ops_headers("ops:report"),
                              params={"from": "2027-01-01T00:00:00Z", "to": "2029-01-01T00:00:00Z"})
    assert report.status_code == 200, report.text
    assert report.json()["benefits"] == [{"code": "spa", "granted": 2, "quota": 2, "redeemed": 2,
                                          "reversed": 0, "members": 1, "stores": 1}]
