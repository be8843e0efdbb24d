"""Erasure requests in tiering: the merchant's cooling-off, cancelling it (the member or
ops), the scheduler starting what is due, the audit of every step; and retention erasing
inactive members through the same request; two requests at once make one."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from services.tiering.settings import TieringSettings
from shared.transport import BusTransport
from tests.integration.erasure.history import clients, ok
from tests.support.auth import member_headers, ops_headers, pos_headers
from tests.support.runtime import fetch_all, running

pytestmark = pytest.mark.integration
PII = ops_headers("ops:pii", user="ops_dana")
# The runtime's own scheduler rounds once at start, then not for an hour: the test drives
# the rounds (a round of the runtime's at the same moment would hold the leader lock).
QUIET_SCHEDULER = {"scheduler_interval_seconds": 3600}


async def enrol(http, member: str) -> None:
    await ok(await http.post("/v1/members", headers=pos_headers(), json={
        "member_id": member, "phone": "+8613900001111", "email": f"{member}@example.com",
        "birthday": "03-14"}), 201)


async def member_row(database_url: str, member: str):
    [row] = await fetch_all(database_url, "SELECT phone, email, birthday, member_number "
                            "FROM tiering.members WHERE member_id = $1", member)
    return row


async def test_a_request_cools_off_can_be_cancelled_and_starts_when_due(bus_platform):
    member = f"m_cool_{uuid.uuid4().hex[:6]}"
    me = member_headers(member)
    settings = TieringSettings(**QUIET_SCHEDULER)
    async with running(TIERING, bus_platform, BusTransport(), settings=settings) as tiering:
        [http] = clients({"tiering": tiering}).values()
        await enrol(http, member)
        first = await ok(await http.post(f"/v1/members/{member}/erasure", headers=me), 202)
        repeated = await ok(await http.post(f"/v1/members/{member}/erasure", headers=me))
        cancelled = await ok(await http.post(f"/v1/members/{member}/erasure/cancellation",
                                             headers=me))
        nothing_to_cancel = await http.post(f"/v1/members/{member}/erasure/cancellation",
                                            headers=PII)
        second = await ok(await http.post(f"/v1/members/{member}/erasure", headers=PII), 202)
        requested_at = datetime.fromisoformat(second["requested_at"])
        scheduler = TieringScheduler(tiering.context)
        early = await scheduler.run_once(requested_at + timedelta(days=6, hours=23))
        kept = await member_row(bus_platform.database_url, member)
        due = await scheduler.run_once(requested_at + timedelta(days=7))
        started = await ok(await http.get(f"/v1/members/{member}/erasure", headers=me))
        too_late = await http.post(f"/v1/members/{member}/erasure/cancellation", headers=me)
        erased = await member_row(bus_platform.database_url, member)
        other = await http.post(f"/v1/members/{member}/erasure", headers=member_headers("m_x"))
        await http.aclose()

    assert first["status"] == "cooling_off" and first["reason"] == "request"
    assert datetime.fromisoformat(first["erase_at"]) - datetime.fromisoformat(
        first["requested_at"]) == timedelta(days=7)  # the default cooling-off
    assert repeated == first
    assert (cancelled["request_id"], cancelled["status"], cancelled["cancelled_by"]) == (
        first["request_id"], "cancelled", f"member:{member}")
    assert (nothing_to_cancel.status_code, nothing_to_cancel.json()["code"]) == (
        404, "no_erasure_request")
    assert second["request_id"] != first["request_id"]
    assert (early.erasures_started, kept["phone"]) == (0, "+8613900001111")
    assert due.erasures_started == 1 and started["status"] == "erasing"
    assert [c["service"] for c in started["confirmations"] if c["confirmed_at"]] == ["tiering"]
    assert (too_late.status_code, too_late.json()["code"]) == (409, "erasure_not_cancellable")
    assert (erased["phone"], erased["email"], erased["birthday"]) == (None, None, None)
    assert erased["member_number"].startswith("erased-")
    assert other.status_code == 403
    actions = await fetch_all(bus_platform.database_url, "SELECT action, actor FROM "
                              "tiering.erasure_actions WHERE member_id = $1 ORDER BY action_id",
                              member)
    assert [(a["action"], a["actor"]) for a in actions] == [
        ("requested", f"member:{member}"), ("cancelled", f"member:{member}"),
        ("requested", "ops:ops_dana"), ("started", "tiering")]


async def test_retention_erases_members_inactive_for_the_set_days_once(bus_platform):
    quiet, busy = (f"m_{kind}_{uuid.uuid4().hex[:6]}" for kind in ("quiet", "busy"))
    settings = TieringSettings(inactive_member_retention_days=30, **QUIET_SCHEDULER)
    async with running(TIERING, bus_platform, BusTransport(), settings=settings) as tiering:
        [http] = clients({"tiering": tiering}).values()
        for member in (quiet, busy):
            await enrol(http, member)
        await fetch_all(bus_platform.database_url, "UPDATE tiering.members SET enrolled_at = "
                        "enrolled_at - interval '31 days' WHERE member_id = $1", quiet)
        scheduler = TieringScheduler(tiering.context)
        now = tiering.context.clock.now()
        first = await scheduler.run_once(now)
        again = await scheduler.run_once(now)
        view = await ok(await http.get(f"/v1/members/{quiet}/erasure", headers=PII))
        untouched = await http.get(f"/v1/members/{busy}/erasure", headers=PII)
        await http.aclose()

    # the runtime's own scheduler round (it runs once at start) may be the one that found
    # the quiet member on a slow machine: what matters is one request, and none on a rerun
    assert first.retention_erasures in (0, 1) and again.retention_erasures == 0
    requests = await fetch_all(bus_platform.database_url, "SELECT member_id, reason FROM "
                               "tiering.erasure_requests WHERE member_id = ANY($1::text[])",
                               [quiet, busy])
    assert [(r["member_id"], r["reason"]) for r in requests] == [(quiet, "retention")]
    assert (view["reason"], view["status"], view["requested_by"]) == (
        "retention", "erasing", "retention")
    assert (await member_row(bus_platform.database_url, quiet))["phone"] is None
    assert (await member_row(bus_platform.database_url, busy))["phone"] == "+8613900001111"
    assert untouched.status_code == 404


async def test_two_requests_at_once_make_one(bus_platform):
    member = f"m_twice_{uuid.uuid4().hex[:6]}"
    async with running(TIERING, bus_platform, BusTransport()) as tiering:
        [http] = clients({"tiering": tiering}).values()
        await enrol(http, member)
        answers = await asyncio.gather(*(
            http.post(f"/v1/members/{member}/erasure", headers=headers)
            for headers in (member_headers(member), PII)))
        await http.aclose()
    assert sorted(answer.status_code for answer in answers) == [200, 202]
    assert len({answer.json()["request_id"] for answer in answers}) == 1
    rows = await fetch_all(bus_platform.database_url, "SELECT 1 FROM tiering.erasure_requests "
                           "WHERE member_id = $1", member)
    assert len(rows) == 1
