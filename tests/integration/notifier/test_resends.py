"""Ops resend a message (POST .../notifications/{id}/resend): one copy per Idempotency-Key,
sent by the delivery job to the member's current contact and recorded as a resend of the
original; refused (409, nothing queued) for a member who opted out; `ops:pii` only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notifier.jobs.delivery import DeliveryJob
from shared.topics import Topics
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import (
    applied,
    consent,
    coupon,
    deliver,
    messages,
    recharge,
    set_contact,
)
from tests.support.auth import member_headers, ops_headers
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration
PII = ops_headers("ops:pii")


def resend_path(member_id: str, notification_id: object) -> str:
    return f"/v1/members/{member_id}/notifications/{notification_id}/resend"


async def test_a_resend_under_one_key_sends_the_message_once_more_to_the_current_address(
        notifier, client, transport, bus_platform, mailbox, clock):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_rs", email="old@example.com", locale="en")
    await deliver(transport.bus, topics, recharge("m_rs", 5_000, START))
    await applied(db, 1)
    job = DeliveryJob(notifier.context)
    await job.run_once(START)
    [original] = await messages(db, "m_rs")
    assert (original["status"], len(mailbox.to("old@example.com"))) == ("sent", 1)

    # the member changed their address since: the resend goes to the new one
    await set_contact(client, "m_rs", email="new@example.com")
    clock.set(START + timedelta(minutes=5))
    path = resend_path("m_rs", original["notification_id"])
    headers = {**PII, "Idempotency-Key": "resend-click-1"}
    first, again = [await client.post(path, headers=headers) for _ in range(2)]
    assert (first.status_code, again.status_code) == (202, 202), first.text
    assert again.json() == first.json()  # a double click: the same answer, one copy
    copy = first.json()
    assert (copy["kind"], copy["status"], copy["resent_from"]) == (
        "recharge_receipt", "pending", str(original["notification_id"]))

    await job.run_once(clock.now())
    rows = await messages(db, "m_rs")
    assert len(rows) == 2
    [resent] = [row for row in rows if row["resent_from"] == original["notification_id"]]
    assert (resent["status"], resent["facts"]) == ("sent", original["facts"])
    [email] = mailbox.to("new@example.com")
    assert email["Subject"] == mailbox.to("old@example.com")[0]["Subject"]

    log = (await client.get("/v1/members/m_rs/notifications", headers=PII)).json()["items"]
    assert [m["resent_from"] for m in log] == [str(original["notification_id"]), None]
    audit = await fetch_all(db, "SELECT route, target, status FROM notifier.ops_audit "
                            "WHERE route LIKE '%/resend' ORDER BY audit_id")
    assert audit and {(row["route"], row["status"]) for row in audit} == {
        ("/v1/members/{member_id}/notifications/{notification_id}/resend", 202)}
    assert str(original["notification_id"]) in audit[0]["target"]


async def test_a_resend_is_refused_for_an_opted_out_member_and_without_ops_pii(
        notifier, client, transport, bus_platform, mailbox):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_out", email="out@example.com", locale="en")
    await consent(client, "m_out", "email", "marketing")
    await deliver(transport.bus, topics, coupon("m_out", START))
    await applied(db, 1)
    await DeliveryJob(notifier.context).run_once(START)
    [offer] = await messages(db, "m_out")
    assert offer["status"] == "sent"
    path = resend_path("m_out", offer["notification_id"])

    for caller in (ops_headers("ops:report"), member_headers("m_out")):
        refused = await client.post(path, headers={**caller, "Idempotency-Key": "k-scope"})
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    missing = await client.post(resend_path("m_other", offer["notification_id"]),
                                headers={**PII, "Idempotency-Key": "k-other"})
    assert (missing.status_code, missing.json()["code"]) == (404, "notification_not_found")
    no_key = await client.post(path, headers=PII)
    assert (no_key.status_code, no_key.json()["code"]) == (400, "idempotency_key_missing")

    await consent(client, "m_out", "email", "marketing", granted=False)
    opted_out = await client.post(path, headers={**PII, "Idempotency-Key": "k-out"})
    assert (opted_out.status_code, opted_out.json()["code"]) == (409, "member_opted_out")
    await DeliveryJob(notifier.context).run_once(START)
    assert len(await messages(db, "m_out")) == 1 and len(mailbox.to("out@example.com")) == 1

    # consent given again: the same key may be retried, a refusal stored nothing
    await consent(client, "m_out", "email", "marketing")
    retried = await client.post(path, headers={**PII, "Idempotency-Key": "k-out"})
    assert retried.status_code == 202, retried.text
