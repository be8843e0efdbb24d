"""The notifier on real Kafka and PostgreSQL, its own delivery loop running: a reminder
put on `tiering.events` twice is one email, with the quote, in the member's language; a
recharge on `wallet.events` of a member who gave no address is a receipt in the in-app
inbox; both reach `notifier.events` as NotificationSent."""

from __future__ import annotations

import httpx
import pytest

from services.notifier.service import SPEC as NOTIFIER
from shared.clock import FrozenClock
from shared.events.notifier import NotificationSent
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.notifier.conftest import START
from tests.integration.notifier.outreach import as_record, expiring, recharge, set_contact
from tests.support.auth import member_headers
from tests.support.runtime import eventually, produce_raw, read_topic, running

pytestmark = pytest.mark.integration


async def test_a_reminder_twice_on_kafka_is_one_email_and_a_recharge_an_inbox_receipt(
        platform, kafka, settings, mailbox):
    topics = Topics(platform.topic_prefix)
    await ensure_topics(kafka.bootstrap_servers, [topics.events(producer) for producer in
                                                  NOTIFIER.subscribes_to])
    fast = settings.model_copy(update={"delivery_interval_seconds": 0.1})
    reminder, paid = expiring("m_kafka", START), recharge("m_app", 50_000, START)

    async with running(NOTIFIER, platform, KafkaTransport(kafka.bootstrap_servers),
                       clock=FrozenClock(START), settings=fast) as notifier:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                     base_url="http://notifier") as client:
            await set_contact(client, "m_kafka", email="kafka@example.com", locale="en",
                              preferred_channel="email")
            await produce_raw(kafka.bootstrap_servers, topics.events("tiering"),
                              [as_record(reminder), as_record(reminder)])
            await produce_raw(kafka.bootstrap_servers, topics.events("wallet"), [as_record(paid)])
            stats = notifier.consumer.stats
            await eventually(lambda: stats, lambda s: s.applied + s.duplicates == 3)
            records = await read_topic(kafka.bootstrap_servers, topics.events("notifier"), 2)
            inbox = await eventually(
                lambda: client.get("/v1/members/m_app/inbox", headers=member_headers("m_app")),
                lambda response: response.json()["unread"] >= 1)

    sent = sorted((NotificationSent.model_validate_json(r.value) for r in records), key=lambda e: e.kind)
    assert [(e.member_id, e.kind, e.channel) for e in sent] == [
        ("m_app", "recharge_receipt", "inbox"), ("m_kafka", "renewal_reminder", "email")]
    assert sent[1].source_event_id == reminder.event_id
    [email] = mailbox.received
    assert (email["To"], email["Subject"]) == ("kafka@example.com", "Your membership ends in 7 days")
    assert "1 year: CN¥324.00" in email.get_body(("plain",)).get_content()
    [receipt] = inbox.json()["items"]
    assert receipt["subject"] == "充值成功：¥500.00" and receipt["read_at"] is None
