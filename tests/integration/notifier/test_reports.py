"""The ops report: messages by kind and channel, opt-outs per marketing message, renewals
of members a reminder reached against members it did not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notifier.jobs.delivery import DeliveryJob
from shared.events.tiering import MembershipRenewed
from shared.topics import Topics
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import applied, consent, coupon, deliver, expiring, set_contact
from tests.support.auth import ops_headers

pytestmark = pytest.mark.integration


def renewal(member_id: str, at) -> MembershipRenewed:
    return MembershipRenewed(member_id=member_id, occurred_at=at, term_id=f"term-{member_id}",
                             term_start=at, term_end=at + timedelta(days=365), years=1,
                             price=32_400, currency="CNY", purchase_id=f"p-{member_id}")


async def test_the_report_counts_messages_opt_outs_and_renewals_after_reminders(
        notifier, client, transport, bus_platform, clock):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    for member in ("m_r1", "m_r2"):
        await set_contact(client, member, email=f"{member}@example.com")
    await consent(client, "m_r3", "inbox", "transactional", granted=False)  # unreachable
    await consent(client, "m_r1", "email", "marketing")
    await deliver(transport.bus, topics, *(expiring(m, START) for m in ("m_r1", "m_r2", "m_r3")),
                  coupon("m_r1", START))
    await applied(db, 4)
    await DeliveryJob(notifier.context).run_once(START)
    clock.set(START + timedelta(days=2))
    await consent(client, "m_r1", "email", "marketing", granted=False)
    await deliver(transport.bus, topics, renewal("m_r1", clock.now()), renewal("m_r3", clock.now()))
    await applied(db, 6)

    response = await client.get("/v1/reports/notifications", headers=ops_headers("ops:report"),
                                params={"from": "2027-03-01T00:00:00Z", "to": "2027-03-08T00:00:00Z"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["from"], report["to"]) == ("2027-03-01T00:00:00Z", "2027-03-08T00:00:00Z")
    counts = {(row["kind"], row["channel"]): row for row in report["by_kind_and_channel"]}
    assert counts[("renewal_reminder", "email")] == {
        "kind": "renewal_reminder", "channel": "email", "sent": 2, "delivered": 0, "failed": 0,
        "suppressed": 0, "pending": 0}
    assert counts[("renewal_reminder", "none")]["suppressed"] == 1
    assert counts[("coupon_issued", "email")]["sent"] == 1
    assert report["opt_outs"] == {"withdrawals": 1, "marketing_sent": 1, "rate_bps": 10_000}
    assert report["reminded"] == {"members": 2, "renewed": 1}
    assert report["not_reminded"] == {"members": 1, "renewed": 1}

    before = await client.get("/v1/reports/notifications", headers=ops_headers("ops:report"),
                              params={"from": "2027-02-01T00:00:00Z", "to": "2027-03-01T00:00:00Z"})
    assert before.json()["by_kind_and_channel"] == [] and before.json()["opt_outs"]["rate_bps"] is None


async def test_report_windows_are_checked_and_the_scope_required(client):
    ops = ops_headers("ops:report")
    windows = (({"from": "2027-03-02T00:00:00Z", "to": "2027-03-01T00:00:00Z"}, "invalid_period"),
               ({"from": "2025-01-01T00:00:00Z", "to": "2027-03-01T00:00:00Z"}, "period_too_long"),
               ({"from": "2027-03-01T00:00:00", "to": "2027-03-02T00:00:00Z"}, "invalid_request"),
               ({"to": "2027-03-02T00:00:00Z"}, "invalid_request"))
    for params, code in windows:
        refused = await client.get("/v1/reports/notifications", headers=ops, params=params)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    denied = await client.get("/v1/reports/notifications", headers=ops_headers("ops:config"),
                              params={"from": "2027-03-01T00:00:00Z", "to": "2027-03-02T00:00:00Z"})
    assert denied.status_code == 403
