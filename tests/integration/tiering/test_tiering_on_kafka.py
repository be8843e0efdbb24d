"""Tiering on real Kafka and PostgreSQL: wallet purchases on `wallet.events` move a
member's tier and `TierChanged` reaches `tiering.events`; a renewal purchase extends the
membership (`MembershipRenewed`), and a second one stacks on the first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.tiering.service import SPEC as TIERING
from shared.events.tiering import MemberEnrolled, MembershipRenewed, TierChanged
from shared.messaging.kafka_transport import ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.integration.tiering.wallet_events import as_record, purchase, renewal
from tests.support.auth import pos_headers
from tests.support.runtime import produce_raw, read_topic, running

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
        await produce_raw(kafka.bootstrap_servers, topics.events("wallet"), [
            as_record(purchase("m_kafka", 300_000, now)),
            as_record(purchase("m_kafka", 1_800_000, now)),
            as_record(first_renewal),
            as_record(renewal("m_kafka", 2, 57_600, now + timedelta(minutes=1))),
        ])
        records = await read_topic(kafka.bootstrap_servers, topics.events("tiering"), 4)

    assert [r.key for r in records] == [b"m_kafka"] * 4
    [enrolment] = of_type(records, MemberEnrolled)
    assert enrolment.birthday == "02-29" and enrolment.store_id == "store_1"
    [change] = of_type(records, TierChanged)
    assert (change.from_tier, change.to_tier, change.direction) == ("regular", "gold", "up")
    assert change.qualifying_amount == 2_100_000 and change.currency == "CNY"
    first, second = of_type(records, MembershipRenewed)
    assert first.purchase_id == first_renewal.purchase_id and first.causation_id == first_renewal.event_id
    assert first.term_start == first_renewal.occurred_at
    assert first.term_end.year == first.term_start.year + 1
    assert (second.term_start, second.years, second.price) == (first.term_end, 2, 57_600)
    assert second.term_end.year == first.term_end.year + 2
