"""Referral's rules through its API and the other services' events, over the in-process
bus (the Kafka flow itself is proven in test_referral_on_kafka.py): each abuse rule holds
the referral with its reason, ops approve or reject, codes rotate, late attribution has a
window, a new program version applies only to referrals registered after it."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
import orjson
import pytest

from services.referral.service import SPEC as REFERRAL
from services.rewards.service import SPEC as REWARDS
from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.transport import BusTransport
from tests.integration.referral.story import REVIEWER, Story, once
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration


@pytest.fixture
async def story(bus_platform):
    transport = BusTransport()
    async with AsyncExitStack() as stack:
        runtimes = [await stack.enter_async_context(running(spec, bus_platform, transport))
                    for spec in (WALLET, TIERING, REWARDS, REFERRAL)]
        clients = [await stack.enter_async_context(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=r.app), base_url="http://test")) for r in runtimes]
        yield Story(clients[1], clients[0], clients[3], bus_platform.database_url)


async def enrol_with(story: Story, member_id: str, **details: str) -> None:
    enrolled = await story.tiering.post("/v1/members", headers=pos_headers(),
                                        json={"member_id": member_id, **details})
    assert enrolled.status_code == 201, enrolled.text


async def test_same_phone_device_or_payment_reference_holds_until_ops_decide(story):
    await enrol_with(story, "m_a", phone="+86 138-0000-0001", device_hash="dev-a")
    code = await story.code_of("m_a")
    await enrol_with(story, "m_b", phone="8613800000001", referral_code=code)
    await enrol_with(story, "m_c", device_hash="dev-a", referral_code=code)
    await enrol_with(story, "m_d", referral_code=code)
    await story.recharge("m_a", 10_000, reference="card-shared")
    for invitee in ("m_b", "m_c", "m_d"):
        await eventually(lambda i=invitee: story.status_of(i), lambda s: s == "registered")
        await story.recharge(invitee, 10_000, reference="card-shared" if invitee == "m_d" else None)
        await eventually(lambda i=invitee: story.status_of(i), lambda s: s == "held")
    rows = await fetch_all(story.database_url, """
        SELECT r.invitee_id, d.reasons FROM referral.decisions d
        JOIN referral.referrals r USING (referral_id) WHERE d.decision = 'held' ORDER BY 1""")
    assert [(r["invitee_id"], orjson.loads(r["reasons"])) for r in rows] == [
        ("m_b", ["same_phone"]), ("m_c", ["same_device"]), ("m_d", ["same_payment_reference"])]
    assert await story.referral_coupons("m_a", "m_b", "m_c", "m_d") == []

    first = (await story.referral.get("/v1/reviews?limit=2", headers=REVIEWER)).json()
    rest = (await story.referral.get("/v1/reviews", headers=REVIEWER,
                                     params={"cursor": first["next_cursor"]})).json()
    assert [r["invitee_id"] for r in first["items"] + rest["items"]] == ["m_b", "m_c", "m_d"]
    assert rest["next_cursor"] is None
    [b, c] = [await referral_id(story, m) for m in ("m_b", "m_c")]
    approved = await story.referral.post(f"/v1/reviews/{b}/approve", headers={**REVIEWER, **once()},
                                         json={"note": "siblings, checked ids"})
    rejected = await story.referral.post(f"/v1/reviews/{c}/reject", headers={**REVIEWER, **once()},
                                         json={"note": "one phone, two accounts"})
    assert (approved.status_code, rejected.status_code) == (200, 200), rejected.text
    again = await story.referral.post(f"/v1/reviews/{c}/approve", headers={**REVIEWER, **once()},
                                      json={"note": "changed my mind"})
    assert (again.status_code, again.json()["code"]) == (409, "referral_not_held")
    await eventually(lambda: story.referral_coupons("m_a", "m_b"), lambda c: len(c) == 2)
    assert await story.status_of("m_c") == "rejected"
    trail = (await story.referral.get(f"/v1/referrals/{b}", headers=REVIEWER)).json()
    assert [(d["decision"], d["actor"]) for d in trail["decisions"]] == [
        ("registered", "enrolment"), ("held", "referral"), ("approved", "ops:ops_rita")]


async def referral_id(story: Story, invitee_id: str) -> str:
    rows = await fetch_all(story.database_url,
                           "SELECT referral_id FROM referral.referrals WHERE invitee_id = $1",
                           invitee_id)
    return rows[0]["referral_id"]


async def test_unknown_inactive_and_own_codes_are_recorded_never_fatal(story):
    await story.enrol("m_owner")
    old = await story.code_of("m_owner")
    rotated = await story.referral.post("/v1/members/m_owner/referral-code/rotate",
                                        headers=member_headers("m_owner"))
    assert rotated.status_code == 200 and rotated.json()["code"] != old
    assert rotated.json()["link"].endswith(rotated.json()["code"])
    await story.enrol("m_late", old.lower())
    await story.enrol("m_typo", "ZZZZZZZZZZZ")
    mine = await story.code_of("m_self")
    await story.enrol("m_self", mine)
    await story.enrol("m_fine", rotated.json()["code"])
    await eventually(lambda: story.status_of("m_fine"), lambda s: s == "registered")
    rows = await fetch_all(story.database_url, "SELECT invitee_id, reason FROM "
                           "referral.attribution_refusals ORDER BY invitee_id")
    assert [(r["invitee_id"], r["reason"]) for r in rows] == [
        ("m_late", "inactive_code"), ("m_self", "self_referral"), ("m_typo", "unknown_code")]
    looked_up = await story.referral.get(f"/v1/codes/{old}", headers=member_headers("m_x"))
    assert looked_up.json() == {"code": old, "active": False, "member_id": None}
    other = await story.referral.get("/v1/members/m_owner/referral-code",
                                     headers=member_headers("m_x"))
    assert (other.status_code, other.json()["code"]) == (403, "forbidden")


async def test_late_attribution_needs_the_scope_a_key_and_the_window(story):
    await story.enrol("m_ref")
    code = await story.code_of("m_ref")
    await story.enrol("m_walkin")
    body = {"invitee_id": "m_walkin", "code": code, "note": "forgot the code at the till"}
    await eventually(lambda: fetch_all(story.database_url, "SELECT 1 FROM referral.members "
                                       "WHERE member_id = 'm_walkin'"), lambda rows: rows)
    no_scope = await story.referral.post("/v1/referrals", json=body,
                                         headers={**ops_headers("ops:report"), **once()})
    no_key = await story.referral.post("/v1/referrals", json=body, headers=REVIEWER)
    assert (no_scope.status_code, no_key.status_code) == (403, 400)
    key = once()
    done = await story.referral.post("/v1/referrals", json=body, headers={**REVIEWER, **key})
    replayed = await story.referral.post("/v1/referrals", json=body, headers={**REVIEWER, **key})
    assert (done.status_code, replayed.status_code) == (201, 201)
    assert done.json() == replayed.json() and done.json()["attributed_by"] == "ops:ops_rita"
    twice = await story.referral.post("/v1/referrals", json=body, headers={**REVIEWER, **once()})
    assert (twice.status_code, twice.json()["code"]) == (422, "already_referred")
    await fetch_all(story.database_url, "UPDATE referral.members SET enrolled_at = "
                    "enrolled_at - interval '15 days' WHERE member_id = 'm_ref'")
    closed = await story.referral.post("/v1/referrals", headers={**REVIEWER, **once()}, json={
        "invitee_id": "m_ref", "code": await story.code_of("m_walkin"), "note": "too late"})
    assert (closed.status_code, closed.json()["code"]) == (422, "attribution_window_closed")


async def test_a_new_program_version_applies_only_to_referrals_registered_after_it(story):
    await story.enrol("m_host")
    code = await story.code_of("m_host")
    await story.enrol("m_early", code)
    await eventually(lambda: story.status_of("m_early"), lambda s: s == "registered")
    config = ops_headers("ops:config")
    bad = await story.referral.post("/v1/programs", headers=config, json={
        "qualifies_on": ["recharge"], "min_amount": 50_000, "window_days": 7, "monthly_cap": 5})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_program")  # rewards nobody
    stricter = await story.referral.post("/v1/programs", headers=config, json={
        "qualifies_on": ["recharge"], "min_amount": 50_000, "window_days": 7, "monthly_cap": 5,
        "invitee_coupon_template": "referral_friend_50"})
    assert stricter.status_code == 201 and stricter.json()["version"] == 1
    await story.enrol("m_later", code)
    await eventually(lambda: story.status_of("m_later"), lambda s: s == "registered")
    await story.recharge("m_early", 10_000)
    await story.recharge("m_later", 10_000)
    await eventually(lambda: story.status_of("m_early"), lambda s: s == "qualified")
    await eventually(lambda: fetch_all(story.database_url, "SELECT 1 FROM referral.spends "
                                       "WHERE member_id = 'm_later'"), lambda rows: rows)
    assert await story.status_of("m_later") == "registered"  # 100.00 is below version 1
    versions = await story.referral.get("/v1/programs", headers=REVIEWER)
    assert [v["min_amount"] for v in versions.json()] == [10_000, 50_000]
    unchanged = await story.referral.post("/v1/programs", headers=REVIEWER, json={
        "qualifies_on": ["recharge"], "min_amount": 1, "window_days": 1, "monthly_cap": 1,
        "referrer_points_bps": 1})
    assert (unchanged.status_code, unchanged.json()["code"]) == (403, "forbidden")


async def test_bad_input_is_a_problem_never_a_500(story):
    bad_cursor = await story.referral.get("/v1/reviews?cursor=bm9wZQ", headers=REVIEWER)
    backwards = await story.referral.get("/v1/reports/program", headers=REVIEWER, params={
        "from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"})
    nul = await story.referral.post("/v1/referrals", headers={**REVIEWER, **once()},
                                    json={"invitee_id": "a\x00b", "code": "X", "note": "n"})
    unknown = await story.referral.post("/v1/reviews/ref_nope/approve",
                                        headers={**REVIEWER, **once()}, json={"note": "n"})
    assert [r.status_code for r in (bad_cursor, backwards, nul, unknown)] == [400, 422, 422, 404]
    assert all(r.headers["content-type"] == "application/problem+json"
               for r in (bad_cursor, backwards, nul, unknown))
