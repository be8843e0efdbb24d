"""Ops tier grants on real PostgreSQL: a grant raises the tier at once (TierChanged with the
grant), is audited (the ops audit and the grant's own row), ends at its expiry, and the tier
falls back to the earned one at the next anniversary review, never before it; a grant still
active at the review holds the tier; refusals have stable codes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.tiering.jobs import TieringScheduler
from tests.integration.tiering.conftest import START
from tests.integration.tiering.wallet_events import tiering_events
from tests.support.auth import member_headers, ops_headers, pos_headers

pytestmark = pytest.mark.integration
GRANTER = ops_headers("ops:tiers", user="ops_carol")
REVIEW = START.replace(year=START.year + 1) + timedelta(days=30)  # anniversary + 30 days' grace


async def enrol(client, member_id: str) -> None:
    enrolled = await client.post("/v1/members", headers=pos_headers(), json={"member_id": member_id})
    assert enrolled.status_code == 201, enrolled.text


async def tier(client, member_id: str) -> str:
    shown = await client.get(f"/v1/members/{member_id}/tier", headers=member_headers(member_id))
    return shown.json()["tier"]


async def grants(client, member_id: str) -> list[dict]:
    listed = await client.get(f"/v1/members/{member_id}/tier-grants", headers=member_headers(member_id))
    assert listed.status_code == 200, listed.text
    return listed.json()["items"]


async def test_a_grant_raises_the_tier_is_audited_ends_at_expiry_and_falls_back_at_review(
        client, tiering, bus_platform, clock):
    await enrol(client, "m_vip")
    expiry = START + timedelta(days=90)
    granted = await client.post("/v1/members/m_vip/tier-grants", headers=GRANTER, json={
        "tier": "gold", "reason": "complaint settled (ticket 88)", "expires_at": expiry.isoformat()})
    assert granted.status_code == 201, granted.text
    body = granted.json()
    assert (body["tier"], body["state"], body["granted_by"], body["source"]) == (
        "gold", "active", "ops:ops_carol", "ops")
    assert await tier(client, "m_vip") == "gold"

    [change] = await tiering_events(bus_platform.database_url, "TierChanged", "m_vip")
    assert (change["from_tier"], change["to_tier"], change["direction"]) == ("regular", "gold", "up")
    assert change["reason"] == "tier grant: complaint settled (ticket 88)"
    assert (change["grant_id"], change["grant_expires_at"]) == (
        body["grant_id"], expiry.isoformat().replace("+00:00", "Z"))
    audit = await client.get("/v1/ops/audit", headers=ops_headers("ops:audit"))
    [entry] = [e for e in audit.json()["items"] if e["route"] == "/v1/members/{member_id}/tier-grants"]
    assert (entry["actor"], entry["status"], entry["target"]) == (
        "ops:ops_carol", 201, {"member_id": "m_vip"})

    clock.advance(timedelta(days=91))  # past the expiry: the grant has ended...
    assert [g["state"] for g in await grants(client, "m_vip")] == ["expired"]
    await TieringScheduler(tiering.context).run_once(clock.now())
    assert await tier(client, "m_vip") == "gold"  # ...and the tier stays until the review

    clock.advance(REVIEW - clock.now())
    await TieringScheduler(tiering.context).run_once(clock.now())
    assert await tier(client, "m_vip") == "regular"
    down = (await tiering_events(bus_platform.database_url, "TierChanged", "m_vip"))[-1]
    assert (down["from_tier"], down["to_tier"], down["direction"]) == ("gold", "regular", "down")
    assert "anniversary review" in down["reason"]


async def test_a_grant_active_at_the_review_holds_the_tier_until_next_review_does_not(
        client, tiering, clock):
    await enrol(client, "m_long")
    await enrol(client, "m_short")
    beyond = await client.post("/v1/members/m_long/tier-grants", headers=GRANTER, json={
        "tier": "silver", "reason": "partner", "expires_at": (REVIEW + timedelta(days=10)).isoformat()})
    until_review = await client.post("/v1/members/m_short/tier-grants", headers=GRANTER, json={
        "tier": "diamond", "reason": "launch guest", "until_next_review": True})
    assert (beyond.status_code, until_review.status_code) == (201, 201), until_review.text
    assert until_review.json()["expires_at"].startswith(REVIEW.isoformat()[:19])
    clock.advance(REVIEW - clock.now())
    await TieringScheduler(tiering.context).run_once(clock.now())
    assert (await tier(client, "m_long"), await tier(client, "m_short")) == ("silver", "regular")


async def test_a_revoked_grant_ends_at_once_and_the_tier_is_held_until_the_review(
        client, tiering, clock):
    await enrol(client, "m_rev")
    granted = (await client.post("/v1/members/m_rev/tier-grants", headers=GRANTER, json={
        "tier": "gold", "reason": "wrong member?", "until_next_review": True})).json()
    path = f"/v1/members/m_rev/tier-grants/{granted['grant_id']}/revoke"
    revoked = await client.post(path, headers=GRANTER, json={"reason": "granted to the wrong member"})
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()["state"], revoked.json()["revoked_by"]) == ("revoked", "ops:ops_carol")
    again = await client.post(path, headers=GRANTER, json={"reason": "twice"})
    assert (again.status_code, again.json()["code"]) == (409, "grant_already_ended")
    assert await tier(client, "m_rev") == "gold"
    clock.advance(REVIEW - clock.now())
    await TieringScheduler(tiering.context).run_once(clock.now())
    assert await tier(client, "m_rev") == "regular"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"tier": "platinum", "reason": "x", "until_next_review": True}, 422, "unknown_tier"),
    ({"tier": "gold", "reason": "x", "expires_at": "2027-01-01T00:00:00Z"}, 422, "grant_expiry_past"),
    ({"tier": "gold", "reason": "x"}, 422, "invalid_request"),
    ({"tier": "gold", "reason": "x", "until_next_review": True,
      "expires_at": "2028-01-01T00:00:00Z"}, 422, "invalid_request"),
    ({"tier": "gold", "until_next_review": True}, 422, "invalid_request"),
    ({"tier": "gold", "reason": "", "until_next_review": True}, 422, "invalid_request"),
])
async def test_bad_grants_are_refused_with_a_code_and_write_nothing(client, body, status, code):
    await enrol(client, "m_bad")
    refused = await client.post("/v1/members/m_bad/tier-grants", headers=GRANTER, json=body)
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert await grants(client, "m_bad") == [] and await tier(client, "m_bad") == "regular"


async def test_only_ops_with_ops_tiers_grant(client):
    await enrol(client, "m_who")
    body = {"tier": "gold", "reason": "x", "until_next_review": True}
    for headers in (pos_headers(), member_headers("m_who"), ops_headers("ops:adjust", "ops:config")):
        refused = await client.post("/v1/members/m_who/tier-grants", headers=headers, json=body)
        assert refused.status_code == 403
    missing = await client.post("/v1/members/m_nobody/tier-grants", headers=GRANTER, json=body)
    assert (missing.status_code, missing.json()["code"]) == (404, "member_not_found")


async def test_a_tier_reached_by_a_grant_brings_its_benefits(client):
    """Gold's default free services (3 a year) come with an ops grant to gold, as they do
    with gold earned by spend; a member left at regular has none."""
    await enrol(client, "m_granted")
    await enrol(client, "m_regular")
    granted = await client.post("/v1/members/m_granted/tier-grants", headers=GRANTER, json={
        "tier": "gold", "reason": "ambassador", "until_next_review": True})
    assert granted.status_code == 201, granted.text

    async def free_services(member_id: str) -> list[dict]:
        shown = await client.get(f"/v1/members/{member_id}/entitlements",
                                 headers=member_headers(member_id))
        assert shown.status_code == 200, shown.text
        return [e for e in shown.json()["items"] if e["code"] == "free_service"]

    [benefit] = await free_services("m_granted")
    assert (benefit["quota"], benefit["used"], benefit["remaining"]) == (3, 0, 3)
    assert await free_services("m_regular") == []


async def test_a_grant_sent_twice_under_one_idempotency_key_is_one_grant(client):
    await enrol(client, "m_twice")
    body = {"tier": "silver", "reason": "store opening", "until_next_review": True}
    keyed = {**GRANTER, "Idempotency-Key": "grant-m_twice-1"}
    first = await client.post("/v1/members/m_twice/tier-grants", headers=keyed, json=body)
    again = await client.post("/v1/members/m_twice/tier-grants", headers=keyed, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await client.post("/v1/members/m_twice/tier-grants", headers=keyed,
                              json={**body, "tier": "gold"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert [g["grant_id"] for g in await grants(client, "m_twice")] == [first.json()["grant_id"]]
