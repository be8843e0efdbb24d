"""Delivery on real SMTP and a provider HTTP API standing in for SMS: one message per
source event and kind, retries then a recorded failure, fallback, quiet hours, caps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notifier.handlers import on_outreach_event
from services.notifier.jobs.delivery import DeliveryJob
from shared.topics import Topics
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import (
    applied,
    consent,
    coupon,
    deliver,
    expiring,
    messages,
    notifier_events,
    recharge,
    set_contact,
)
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_a_reminder_delivered_twice_is_one_email_with_the_quote_in_english(
        notifier, client, transport, bus_platform, mailbox, settings):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_en", email="li@example.com", locale="en", time_zone="Asia/Shanghai")
    reminder = expiring("m_en", START)
    await deliver(transport.bus, topics, reminder, reminder)
    await applied(db, 1)
    # Past the consumer's inbox too (as after the inbox was pruned): the unique key holds.
    async with notifier.context.uow() as uow:
        await on_outreach_event(reminder, uow, settings)

    assert await DeliveryJob(notifier.context).run_once(START) == 1
    assert await DeliveryJob(notifier.context).run_once(START + timedelta(minutes=1)) == 0

    [email] = mailbox.to("li@example.com")
    assert email["Subject"] == "Your membership ends in 7 days"
    text = email.get_body(("plain",)).get_content()
    assert "1 year: CN¥324.00" in text and "2 years: CN¥576.00" in text
    [message] = await messages(db, "m_en")
    assert (message["status"], message["channel"], message["attempts"]) == ("sent", "email", 1)
    assert message["provider_message_id"] == email["Message-ID"]
    assert len(message["template_version"]) == 12
    [sent] = await notifier_events(db, "NotificationSent")
    assert (sent["kind"], sent["channel"], sent["source_event_id"]) == \
        ("renewal_reminder", "email", str(reminder.event_id))


async def test_a_provider_outage_is_retried_with_backoff_then_recorded_as_failed(
        notifier, client, transport, bus_platform, provider):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_sms", phone="+8613800000000", preferred_channel="sms")
    await consent(client, "m_sms", "inbox", "transactional", granted=False)
    provider.answer = 503
    await deliver(transport.bus, topics, expiring("m_sms", START))
    await applied(db, 1)
    job = DeliveryJob(notifier.context)

    await job.run_once(START)
    [message] = await messages(db, "m_sms")
    assert (message["status"], message["attempts"]) == ("pending", 1)
    assert message["next_attempt_at"] == START + timedelta(seconds=60)
    assert await job.run_once(START + timedelta(seconds=59)) == 0  # not before its time
    await job.run_once(START + timedelta(seconds=60))  # second attempt, then 120 s
    await job.run_once(START + timedelta(seconds=179))
    assert len(provider.requests) == 2
    await job.run_once(START + timedelta(seconds=180))  # third and last

    assert len(provider.requests) == 3 and all(r["signed"] for r in provider.requests)
    assert provider.requests[0]["to"] == "+8613800000000"
    [message] = await messages(db, "m_sms")
    assert (message["status"], message["attempts"], message["channel"]) == ("failed", 3, "sms")
    assert "503" in message["last_error"]
    [failed] = await notifier_events(db, "NotificationFailed")
    assert (failed["channel"], failed["attempts"], failed["kind"]) == ("sms", 3, "renewal_reminder")
    assert "503" in failed["error"]
    assert await notifier_events(db, "NotificationSent") == []

    provider.answer = 200  # the provider is back: the next message goes out, its id recorded
    await deliver(transport.bus, topics, expiring("m_sms", START, days_left=1))
    await applied(db, 2)
    await job.run_once(START + timedelta(seconds=200))
    sent = [m for m in await messages(db, "m_sms") if m["status"] == "sent"]
    assert [m["provider_message_id"] for m in sent] == [provider.accepted()[0]["message_id"]]


async def test_a_permanent_refusal_falls_back_to_the_next_channel_at_once(
        notifier, client, transport, bus_platform, provider, mailbox):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_fb", phone="+8613800000001", email="fb@example.com",
                      preferred_channel="sms")
    provider.answer = 400
    await deliver(transport.bus, topics, expiring("m_fb", START))
    await applied(db, 1)

    await DeliveryJob(notifier.context).run_once(START)

    assert len(provider.requests) == 1 and len(mailbox.to("fb@example.com")) == 1
    [message] = await messages(db, "m_fb")
    assert (message["status"], message["channel"], message["attempts"]) == ("sent", "email", 2)
    assert message["failed_channels"] == ["sms"]


async def test_quiet_hours_defer_a_reminder_to_the_morning_but_not_a_receipt(
        notifier, client, transport, bus_platform, mailbox, clock):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    evening = START + timedelta(hours=11, minutes=30)  # 22:30 in Shanghai
    morning = START + timedelta(hours=21)  # 08:00 the next day in Shanghai
    await set_contact(client, "m_night", email="night@example.com", time_zone="Asia/Shanghai")
    clock.set(evening)
    await deliver(transport.bus, topics, expiring("m_night", evening), recharge("m_night", 50_000, evening))
    await applied(db, 2)
    job = DeliveryJob(notifier.context)

    await job.run_once(evening)
    assert [m["Subject"] for m in mailbox.to("night@example.com")] == ["充值成功：¥500.00"]
    reminder = next(m for m in await messages(db, "m_night") if m["kind"] == "renewal_reminder")
    assert (reminder["status"], reminder["next_attempt_at"]) == ("pending", morning)
    await job.run_once(morning - timedelta(seconds=1))
    assert len(mailbox.to("night@example.com")) == 1

    await job.run_once(morning)
    assert [m["Subject"] for m in mailbox.to("night@example.com")][1] == "您的会员将在 7 天后到期"


async def test_caps_hold_over_a_burst_of_marketing_while_a_receipt_still_goes_out(
        notifier, client, transport, bus_platform, mailbox):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_burst", email="burst@example.com", locale="en")
    await consent(client, "m_burst", "email", "marketing")
    burst = [coupon("m_burst", START) for _ in range(5)]
    await deliver(transport.bus, topics, *burst, recharge("m_burst", 10_000, START))
    await applied(db, 6)
    job = DeliveryJob(notifier.context)

    await job.run_once(START)
    subjects = [m["Subject"] for m in mailbox.to("burst@example.com")]
    assert sorted(subjects) == ["A coupon for you: CN¥20.00 off", "Recharge received: CN¥100.00"]
    statuses = sorted(m["status"] for m in await messages(db, "m_burst"))
    assert statuses == ["sent", "sent", "suppressed", "suppressed", "suppressed", "suppressed"]
    # each suppressed message says so to subscribers, with why
    told = await fetch_all(db, "SELECT convert_from(payload, 'UTF8')::jsonb->>'reason' AS reason "
                               "FROM notifier.outbox WHERE key = 'm_burst' AND ce_type = "
                               "'patronage.notifier.NotificationSuppressed.v1'")
    assert [row["reason"] for row in told] == ["marketing_cap"] * 4

    # One a day, three a week: day 2 and 3 get one each, day 4 none.
    for day in (1, 2, 3):
        moment = START + timedelta(days=day)
        await deliver(transport.bus, topics, coupon("m_burst", moment), recharge("m_burst", 100, moment))
        await applied(db, 6 + 2 * day)
        await job.run_once(moment)
    kinds = [m["Subject"].split(":")[0] for m in mailbox.to("burst@example.com")]
    assert kinds.count("A coupon for you") == 3 and kinds.count("Recharge received") == 4


async def test_a_channel_out_of_retries_falls_back_to_the_next_one(
        notifier, client, transport, bus_platform, provider, mailbox):
    db, topics = bus_platform.database_url, Topics(bus_platform.topic_prefix)
    await set_contact(client, "m_out", phone="+8613800000004", email="out@example.com",
                      preferred_channel="sms")
    provider.answer = 503
    await deliver(transport.bus, topics, expiring("m_out", START))
    await applied(db, 1)
    job = DeliveryJob(notifier.context)

    for seconds in (0, 60, 180):  # three attempts on SMS, 60 s then 120 s apart
        await job.run_once(START + timedelta(seconds=seconds))
    assert len(provider.requests) == 3 and len(mailbox.to("out@example.com")) == 1
    [message] = await messages(db, "m_out")
    assert (message["status"], message["channel"], message["attempts"]) == ("sent", "email", 4)
    assert message["failed_channels"] == ["sms"] and "503" in message["last_error"]
