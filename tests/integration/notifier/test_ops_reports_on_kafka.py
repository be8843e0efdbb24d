"""Scheduled reports on real Kafka and PostgreSQL, the notifier's own report delivery loop
running: a ScheduledReportPublished put on `rewards.events` reaches each subscribed ops
recipient once, by email in their locale, not one who unsubscribed or takes only the
other kind; the same message put on the topic again sends nothing more."""

from __future__ import annotations

import httpx
import pytest

from services.notifier.rules.ops_reports import recipient_unsubscribe_token
from services.notifier.service import SPEC as NOTIFIER
from shared.clock import FrozenClock
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.notifier.conftest import START
from tests.integration.notifier.ops_reports import RECIPIENTS, add_recipient, weekly_report
from tests.integration.notifier.outreach import as_record
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, produce_raw, running

pytestmark = pytest.mark.integration


async def test_a_report_on_kafka_reaches_each_subscribed_recipient_once_in_their_locale(
        platform, kafka, settings, mailbox):
    topics = Topics(platform.topic_prefix)
    await ensure_topics(kafka.bootstrap_servers, [topics.events(producer) for producer in
                                                  NOTIFIER.subscribes_to])
    fast = settings.model_copy(update={"delivery_interval_seconds": 0.1})
    report = weekly_report(START)

    async with running(NOTIFIER, platform, KafkaTransport(kafka.bootstrap_servers),
                       clock=FrozenClock(START), settings=fast) as notifier:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                     base_url="http://notifier",
                                     headers=ops_headers("ops:config")) as ops:
            await add_recipient(ops, "en@m.example", "en", ["weekly"])
            await add_recipient(ops, "zh@m.example", "zh-CN", ["daily", "weekly"])
            await add_recipient(ops, "daily@m.example", "en", ["daily"])
            left = await add_recipient(ops, "left@m.example", "en", ["weekly"])
            token = recipient_unsubscribe_token("link-test-secret", left["recipient_id"])
            assert (await ops.post(f"{RECIPIENTS}/unsubscribe/{token}", headers={})).status_code == 200

            await produce_raw(kafka.bootstrap_servers, topics.events("rewards"), [as_record(report)])
            await eventually(lambda: mailbox.received, lambda received: len(received) >= 2,
                             timeout=60)
            # the same message again (a redelivery): consumed, and nothing more is sent
            await produce_raw(kafka.bootstrap_servers, topics.events("rewards"), [as_record(report)])
            stats = notifier.consumer.stats
            await eventually(lambda: stats, lambda s: s.applied + s.duplicates >= 2, timeout=60)
            rows = await eventually(
                lambda: fetch_all(platform.database_url,
                                  "SELECT status FROM notifier.report_deliveries"),
                lambda found: [r["status"] for r in found] == ["sent", "sent"])

    assert len(rows) == 2
    assert sorted(m["To"] for m in mailbox.received) == ["en@m.example", "zh@m.example"]
    [english], [chinese] = mailbox.to("en@m.example"), mailbox.to("zh@m.example")
    assert english["Subject"] == "Weekly report: February 22, 2027 – February 28, 2027"
    assert "Bonuses held for review: 3 (CN¥1,500.00)" in english.get_body(("plain",)).get_content()
    assert chinese["Subject"] == "每周报告：2027年2月22日 – 2027年2月28日"
    assert "充值金额：¥123,456.00" in chinese.get_body(("plain",)).get_content()
