"""Outreach on an injected clock: birthday greetings from tiering's MemberBirthday (once
per member and year, however often it is delivered), the monthly statement from the
month's purchases and recharges, a we-miss-you message to members quiet for
`inactive_days`; each once, however often the job runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.jobs.delivery import DeliveryJob
from services.notifier.jobs.schedules import Queued, ScheduledOutreach
from shared.events.tiering import MemberBirthday, MemberEnrolled
from shared.events.wallet import PurchaseCompleted
from shared.topics import Topics
from tests.integration.notifier.outreach import applied, consent, deliver, messages, recharge
from tests.support.auth import member_headers
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


def enrolled(member_id: str, at: datetime) -> MemberEnrolled:
    return MemberEnrolled(member_id=member_id, occurred_at=at, channel="app", locale="en",
                          enrolled_at=at)


def birthday(member_id: str, at: datetime) -> MemberBirthday:
    return MemberBirthday(member_id=member_id, occurred_at=at, celebrated_on=at.date())


def purchase(member_id: str, total: int, at: datetime, currency: str = "CNY") -> PurchaseCompleted:
    return PurchaseCompleted(
        occurred_at=at, member_id=member_id, purchase_id=f"p-{at.timestamp()}-{total}",
        order_reference="o-1", total=total, currency=currency, paid_principal=total, paid_bonus=0,
        paid_other=0, store_id="store_1", channel="pos")


async def test_birthdays_are_greeted_once_a_year_from_tiering_s_event(
        notifier, client, transport, bus_platform):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    at = datetime(2027, 1, 5, 3, tzinfo=UTC)
    await deliver(transport.bus, topics, enrolled("m_mar1", at), enrolled("m_leap", at),
                  enrolled("m_xmas", at))
    await applied(db, 3)
    for member in ("m_mar1", "m_leap", "m_xmas"):
        await consent(client, member, "inbox", "marketing")
    feb_28 = datetime(2027, 2, 28, 2, tzinfo=UTC)
    mar_1 = datetime(2027, 3, 1, 3, tzinfo=UTC)  # the notifier's clock: messages are due now
    # tiering sent m_leap's twice (a restored backup, say): one greeting a year all the same
    await deliver(transport.bus, topics, birthday("m_leap", feb_28), birthday("m_mar1", mar_1),
                  birthday("m_leap", feb_28 + timedelta(hours=5)))
    await applied(db, 6)
    await DeliveryJob(notifier.context).run_once(mar_1)

    for member in ("m_mar1", "m_leap"):
        [greeting] = (await client.get(f"/v1/members/{member}/inbox",
                                       headers=member_headers(member))).json()["items"]
        assert greeting["subject"] == "Happy birthday!"
        assert "Unsubscribe: http://notifier.test/v1/unsubscribe/" in greeting["body"]
    assert await messages(db, "m_xmas") == []
    columns = await fetch_all(db, "SELECT column_name FROM information_schema.columns "
                                  "WHERE table_schema = 'notifier' AND table_name = 'contacts'")
    assert "birthday" not in {c["column_name"] for c in columns}


async def test_the_monthly_statement_counts_last_months_visits_spend_and_recharges(
        notifier, client, transport, bus_platform):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    feb = datetime(2027, 2, 10, 3, tzinfo=UTC)
    await deliver(transport.bus, topics,
                  purchase("m_stmt", 12_000, feb), purchase("m_stmt", 8_000, feb + timedelta(days=3)),
                  purchase("m_stmt", 5_000, feb, currency="USD"),  # not the program currency
                  purchase("m_stmt", 1_000, datetime(2027, 2, 28, 17, tzinfo=UTC)),  # 1 March local
                  recharge("m_stmt", 50_000, feb))
    await applied(db, 5)
    await consent(client, "m_stmt", "inbox", "marketing")
    schedules = ScheduledOutreach(notifier.context)

    assert (await schedules.run_once(datetime(2027, 3, 14, 3, tzinfo=UTC))).statements == 0
    the_15th = datetime(2027, 3, 15, 3, tzinfo=UTC)
    assert (await schedules.run_once(the_15th)).statements == 1
    assert (await schedules.run_once(the_15th + timedelta(hours=1))).statements == 0
    await DeliveryJob(notifier.context).run_once(the_15th)

    [statement] = [m for m in await messages(db, "m_stmt") if m["kind"] == "monthly_statement"]
    assert statement["facts"] == {"month": "2027-02", "visits": 2, "spent": 20_000,
                                  "recharged": 50_000, "currency": "CNY"}
    inbox = (await client.get("/v1/members/m_stmt/inbox", headers=member_headers("m_stmt"))).json()
    [sent] = [m for m in inbox["items"] if m["kind"] == "monthly_statement"]
    assert sent["subject"] == "您的 2027-02 月度账单"
    assert "共到店 2 次，消费 ¥200.00，充值 ¥500.00" in sent["body"]


async def test_a_quiet_member_gets_one_we_miss_you_per_quiet_spell(
        notifier, client, transport, bus_platform, settings):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await deliver(transport.bus, topics, purchase("m_quiet", 1_000, datetime(2027, 1, 1, 3, tzinfo=UTC)),
                  purchase("m_busy", 1_000, datetime(2027, 3, 10, 3, tzinfo=UTC)))
    await applied(db, 2)
    schedules = ScheduledOutreach(notifier.context)
    assert settings.inactive_days == 60

    # Whole days without a visit: 2 January .. 1 March is 59, .. 2 March is 60.
    assert await schedules.run_once(datetime(2027, 3, 2, 3, tzinfo=UTC)) == Queued()
    assert (await schedules.run_once(datetime(2027, 3, 3, 3, tzinfo=UTC))).quiet_members == 1
    assert (await schedules.run_once(datetime(2027, 3, 20, 3, tzinfo=UTC))).quiet_members == 0
    [quiet] = await messages(db, "m_quiet")
    assert (quiet["kind"], quiet["facts"]) == ("we_miss_you", {"last_seen": "2027-01-01T03:00:00+00:00"})
    assert await messages(db, "m_busy") == []

    # Back, then quiet again: a new spell, a new message.
    await deliver(transport.bus, topics, purchase("m_quiet", 1_000, datetime(2027, 3, 21, 3, tzinfo=UTC)))
    await applied(db, 3)
    later = await schedules.run_once(datetime(2027, 5, 22, 3, tzinfo=UTC))
    assert later.quiet_members == 2  # m_quiet's second spell, and m_busy's first
    assert [m["facts"]["last_seen"] for m in await messages(db, "m_quiet")] == [
        "2027-01-01T03:00:00+00:00", "2027-03-21T03:00:00+00:00"]
