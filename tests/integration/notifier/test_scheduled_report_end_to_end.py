"""The scheduled report from end to end, on real Kafka and PostgreSQL: rewards holds a
flagged recharge's bonus, its report job makes yesterday's daily report, and the notifier
sends it to the ops recipient by email with the risk section (held: count and amount)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.notifier.service import SPEC as NOTIFIER
from services.rewards.jobs.scheduled_reports import produce_due
from services.rewards.service import SPEC as REWARDS
from shared.events.wallet import RiskFinding
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.notifier.ops_reports import add_recipient
from tests.integration.rewards.feed import publish_wallet_events, recharge
from tests.support.auth import ops_headers
from tests.support.runtime import eventually, fetch_all, running

pytestmark = pytest.mark.integration


async def test_a_held_bonus_is_in_the_daily_report_the_ops_recipient_receives(
        platform, kafka, settings, mailbox):
    topics, transport = Topics(platform.topic_prefix), KafkaTransport(kafka.bootstrap_servers)
    await ensure_topics(kafka.bootstrap_servers,
                        [topics.events(p) for p in {*NOTIFIER.subscribes_to,
                                                    *REWARDS.subscribes_to}])
    yesterday = datetime.now(UTC) - timedelta(days=1)
    flagged = recharge("m_risky", 80_000).model_copy(update={
        "occurred_at": yesterday,
        "risk_reasons": (RiskFinding(rule="burst", action="hold_bonus",
                                     detail="5 recharges in 10 minutes"),)})
    fast = settings.model_copy(update={"delivery_interval_seconds": 0.1})
    async with running(REWARDS, platform, transport) as rewards, \
            running(NOTIFIER, platform, transport, settings=fast) as notifier:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=notifier.app),
                                     base_url="http://notifier",
                                     headers=ops_headers("ops:config")) as ops:
            await add_recipient(ops, "ops@m.example", "en", ["daily"])
        await publish_wallet_events(kafka.bootstrap_servers, topics, flagged)
        await eventually(
            lambda: fetch_all(platform.database_url, "SELECT status, decided_at FROM "
                              "rewards.bonus_decisions WHERE member_id = 'm_risky'"),
            lambda rows: [r["status"] for r in rows] == ["held"], timeout=60)
        # the decision is made now; the report is for the day it was made
        await fetch_all(platform.database_url,
                        "UPDATE rewards.bonus_decisions SET decided_at = decided_at - "
                        "interval '1 day' WHERE member_id = 'm_risky' RETURNING 1")
        made = await produce_due(rewards.context.uow, datetime.now(UTC),
                                 rewards.context.settings.zone(), "CNY")
        assert any(report_id.startswith("daily-") for report_id in made)
        [message] = await eventually(lambda: mailbox.to("ops@m.example"),
                                     lambda received: len(received) == 1, timeout=60)
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"].startswith("Daily report: ")
    assert "Bonuses held for review: 1 (CN¥800.00)" in body
    assert "Still waiting for review: 1" in body
