"""The KPIs and the scheduled reports on real Kafka and PostgreSQL.

A purchase and a notification are each published twice (the same event, as a broker
redelivers it): the member's KPI day counts each once. Then the scheduled report job runs
as two replicas at once and again: exactly one daily and one weekly report are stored, the
daily one counts the member once, both are served by the API, and both
`ScheduledReportPublished` events are on rewards' topic."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.jobs.scheduled_reports import produce_due
from services.rewards.rules.kpis import daily_period, local_day, weekly_period
from services.rewards.service import SPEC as REWARDS
from shared.events.cloudevents import decode, to_kafka_headers
from shared.events.notifier import NotificationSent
from shared.events.rewards import REPORTS_KEY, ScheduledReportPublished
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.rewards.feed import api, publish_wallet_events, purchase
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, produce_raw, read_topic, running

pytestmark = pytest.mark.integration
DAY = """SELECT coalesce(sum(purchases), 0) AS purchases, coalesce(sum(purchase_amount), 0) AS amount,
                coalesce(sum(notifications_sent), 0) AS sent
         FROM rewards.kpi_member_days WHERE member_id = 'm_kpi'"""


async def test_redelivered_events_count_once_and_reports_are_made_once(platform, kafka):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    url, bootstrap = platform.database_url, kafka.bootstrap_servers
    yesterday = datetime.now(UTC) - timedelta(days=1)
    first = purchase("m_kpi", 12_000).model_copy(update={"occurred_at": yesterday})
    second = purchase("m_kpi", 3_000).model_copy(update={"occurred_at": yesterday})
    told = [NotificationSent(occurred_at=yesterday, member_id="m_kpi", notification_id=f"n-{n}",
                             kind="statement", channel="sms") for n in range(2)]
    await ensure_topics(bootstrap, [topics.events("notifier")])
    async with running(REWARDS, platform, transport) as rewards:
        # the same event twice, then another: once the last is counted, so is the duplicate
        await publish_wallet_events(bootstrap, topics, first, first, second)
        await produce_raw(bootstrap, topics.events("notifier"), [
            (e.member_id, e.to_json(), list(to_kafka_headers(e))) for e in (told[0], *told)])
        counted = await eventually(lambda: fetch_all(url, DAY),
                                   lambda rows: rows[0]["amount"] == 15_000 and rows[0]["sent"] == 2,
                                   timeout=60)
        assert (counted[0]["purchases"], counted[0]["amount"], counted[0]["sent"]) == (2, 15_000, 2)

        zone, now = rewards.context.settings.zone(), datetime.now(UTC)
        made = await asyncio.gather(*(produce_due(rewards.context.uow, now, zone, "CNY")
                                      for _ in range(2)))  # two replicas in the same round
        again = await produce_due(rewards.context.uow, now, zone, "CNY")
        today = local_day(now, zone)
        expected = sorted([f"daily-{daily_period(today)[0]}", f"weekly-{weekly_period(today)[0]}"])
        assert sorted(made[0] + made[1]) == expected and again == []
        stored = await fetch_all(url, "SELECT report_id FROM rewards.scheduled_reports ORDER BY 1")
        assert [row["report_id"] for row in stored] == expected

        async with api(rewards) as client:
            listed = await client.get("/v1/reports/scheduled", headers=ops_headers("ops:report"))
            daily = await client.get(f"/v1/reports/scheduled/{expected[0]}",
                                     headers=ops_headers("ops:report"))
            as_csv = await client.get(f"/v1/reports/scheduled/{expected[0]}",
                                      params={"format": "csv"}, headers=ops_headers("ops:report"))
        assert sorted(item["report_id"] for item in listed.json()["items"]) == expected
        figures = {f["name"]: f["value"] for f in daily.json()["figures"]}
        assert (figures["active_members"], figures["arpu"]) == (1, 15_000)
        assert daily.json()["risk"]["held"] == 0
        rows = list(csv.reader(io.StringIO(as_csv.text)))
        assert ["arpu", "", "15000", "minor_units", "15000", "1"] in rows

        await eventually(lambda: fetch_all(url, "SELECT count(*) AS waiting FROM rewards.outbox "
                                           "WHERE published_at IS NULL"),
                         lambda rows: rows[0]["waiting"] == 0, timeout=60)
        total = (await fetch_all(url, "SELECT count(*) AS n FROM rewards.outbox"))[0]["n"]
        records = await read_topic(bootstrap, topics.events("rewards"), total)
    published = [e for e in (decode(r.value, r.headers) for r in records)
                 if isinstance(e, ScheduledReportPublished)]
    assert sorted(e.report_id for e in published) == expected
    assert {e.member_id for e in published} == {REPORTS_KEY}
    [daily_event] = [e for e in published if e.kind == "daily"]
    assert (daily_event.period_start, daily_event.period_end) == daily_period(today)
    assert {f.name: (f.value, f.unit) for f in daily_event.figures}["active_members"] == (1, "count")
