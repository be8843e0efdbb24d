"""Tiering on real Kafka and PostgreSQL: wallet purchases on `wallet.events` move a
member's tier and `TierChanged` reaches `tiering.events`; a renewal purchase extends the
membership (`MembershipRenewed`), and a second one stacks on the first; a membership line
without a quote id (which the wallet no longer sells) renews nothing and stops nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.tiering.service import SPEC as TIERING
from shared.events.tiering import EntitlementGranted, MemberEnrolled, MembershipRenewed, TierChanged
from shared.events.wallet import PurchaseItem
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.tiering.wallet_events import as_record, purchase, renewal, tiering_events
from tests.support.auth import pos_headers
from tests.support.runtime import eventually, fetch_all, produce_raw, read_topic, running

pytestmark = pytest.mark.integration


def of_type(records: list, event_class) -> list:
    wanted = event_class.ce_type().encode()
    return [event_class.model_validate_json(r.value) for r in records
            if dict(r.headers).get("ce_type") == wanted]


async def test_wallet_purchases_move_the_tier_and_renewals_extend_the_term(platform, kafka):
    topics = Topics(platform.topic_prefix)
    now = datetime.now(UTC)
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet")])

    async with running(TIERING, platform, KafkaTransport(kafka.bootstrap_servers)) as tiering:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                                     base_url="http://tiering", headers=pos_headers()) as client:
            enrolled = await client.post("/v1/members", json={"member_id": "m_kafka", "birthday": "02-29"})
        assert enrolled.status_code == 201, enrolled.text
        first_renewal = renewal("m_kafka", 1, 32_400, now)
        unquoted = purchase("m_kafka", 1, now, PurchaseItem(
            sku="membership-5y", category="membership", quantity=1, amount=1))
        await produce_raw(kafka.bootstrap_servers, topics.events("wallet"), [
            as_record(purchase("m_kafka", 300_000, now)),
            as_record(purchase("m_kafka", 1_800_000, now)),
            as_record(unquoted),
            as_record(first_renewal),
            as_record(renewal("m_kafka", 2, 57_600, now + timedelta(minutes=1))),
        ])
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 7)

    assert [r.key for r in records] == [b"m_kafka"] * 7
    [enrolment] = of_type(records, MemberEnrolled)
    assert enrolment.birthday is None and enrolment.store_id == "store_1"
    [change] = of_type(records, TierChanged)
    assert (change.from_tier, change.to_tier, change.direction) == ("regular", "gold", "up")
    assert change.qualifying_amount == 2_100_000 and change.currency == "CNY"
    first, second = of_type(records, MembershipRenewed)
    assert first.purchase_id == first_renewal.purchase_id and first.causation_id == first_renewal.event_id
    assert first.term_start == first_renewal.occurred_at
    assert first.term_end.year == first.term_start.year + 1
    assert (second.term_start, second.years, second.price) == (first.term_end, 2, 57_600)
    assert second.term_end.year == first.term_end.year + 2
    terms = await fetch_all(platform.database_url,
                            "SELECT purchase_id FROM tiering.membership_terms ORDER BY term_start")
    assert [t["purchase_id"] for t in terms] == [first_renewal.purchase_id, second.purchase_id]
    # gold's free services for the year, then each term's perks (4 a year)
    granted = of_type(records, EntitlementGranted)
    assert [(g.code, g.quota, g.term_id) for g in granted] == [
        ("free_service", 3, None), ("quarterly_perk", 4, first.term_id),
        ("quarterly_perk", 8, second.term_id)]


async def test_a_batch_with_a_redelivered_purchase_crosses_each_tier_once(platform, kafka):
    topics = Topics(platform.topic_prefix)
    now = datetime.now(UTC)
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet")])
    crossing_silver = purchase("m_batch", 300_000, now)
    purchases = [purchase("m_batch", 300_000, now), crossing_silver, crossing_silver,
                 purchase("m_batch", 1_500_000, now), purchase("m_not_enrolled", 900_000, now)]

    async with running(TIERING, platform, KafkaTransport(kafka.bootstrap_servers)) as tiering:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiering.app),
                                     base_url="http://tiering", headers=pos_headers()) as client:
            enrolled = await client.post("/v1/members", json={"member_id": "m_batch"})
        assert enrolled.status_code == 201, enrolled.text
        await produce_raw(kafka.bootstrap_servers, topics.events("wallet"),
                          [as_record(p) for p in purchases])
        stats = tiering.consumer.stats
        await eventually(lambda: stats, lambda s: s.applied + s.duplicates == len(purchases))
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 3)

    changes = of_type(records, TierChanged)
    assert [(c.from_tier, c.to_tier) for c in changes] == [("regular", "silver"), ("silver", "gold")]
    assert [c.causation_id for c in changes] == [crossing_silver.event_id, purchases[3].event_id]
    assert (stats.applied, stats.duplicates, stats.dead_lettered) == (4, 1, 0)
    assert len(await tiering_events(platform.database_url, "TierChanged")) == 2
    spend = await fetch_all(platform.database_url,
                            "SELECT member_id, count(*) AS n FROM tiering.spend_entries "
                            "GROUP BY member_id ORDER BY member_id")
    assert [(r["member_id"], r["n"]) for r in spend] == [("m_batch", 3), ("m_not_enrolled", 1)]
