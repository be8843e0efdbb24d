"""The consumer engine with a batch handler, on a real Kafka broker and PostgreSQL: the
new events of a batch go to the handler in one call (duplicates skipped, each member's
events in order), and a failing event is retried and dead-lettered alone while the rest
of its batch applies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from shared.db.engine import create_service_engine
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.events.wallet import RechargeCompleted
from shared.messaging.batches import batch
from shared.messaging.consumer import ConsumerStats, EventConsumer
from shared.messaging.kafka_transport import KafkaDeadLetters, KafkaSource, ensure_topics
from shared.topics import Topics
from tests.integration.test_consumer_on_kafka import applied_rows, as_record, recharge
from tests.support import probe
from tests.support.runtime import eventually, produce_raw, read_topic

pytestmark = pytest.mark.integration


@asynccontextmanager
async def batch_consumer(platform, kafka) -> AsyncIterator[ConsumerStats]:
    """The probe's batch handler consuming `wallet.events` until the block ends."""
    topics = Topics(platform.topic_prefix)
    engine = create_service_engine(platform.database_url, "probe")
    consumer = EventConsumer(
        name="probe", source=KafkaSource(kafka.bootstrap_servers, "probe", [topics.events("wallet")]),
        handlers={RechargeCompleted: [batch(probe.on_recharges_completed)]},
        dead_letters=KafkaDeadLetters(kafka.bootstrap_servers, topics.dlq("probe"), "probe"),
        uow_factory=UnitOfWorkFactory(engine, probe.outbox, topics), inbox_table=probe.inbox,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield consumer.stats
    finally:
        stop.set()
        await task
        await consumer.dead_letters.stop()
        await engine.dispose()


async def produce(platform, kafka, *events: RechargeCompleted, raw=()) -> None:
    topics = Topics(platform.topic_prefix)
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet"), topics.dlq("probe")])
    await produce_raw(kafka.bootstrap_servers, topics.events("wallet"),
                      [*raw, *(as_record(e) for e in events)])


async def test_a_batch_with_duplicates_is_applied_in_one_call_in_member_order(platform, kafka):
    first, second, third = (recharge("b1", n) for n in (1, 2, 3))
    # one key, one partition: produced before the consumer starts, fetched as one batch
    await produce(platform, kafka, first, second, first, third, second)
    probe.BATCH_SIZES.clear()

    async with batch_consumer(platform, kafka) as stats:
        await eventually(lambda: stats, lambda s: s.applied + s.duplicates == 5)

    rows = await applied_rows(platform.database_url)
    assert [r["event_id"] for r in rows] == [first.event_id, second.event_id, third.event_id]
    assert (stats.applied, stats.duplicates, stats.dead_lettered) == (3, 2, 0)
    assert probe.BATCH_SIZES == [3]


async def test_a_failing_event_in_a_batch_is_dead_lettered_alone(platform, kafka):
    before, poisoned, after = recharge("b2", 1), recharge("poison-b2", 1), recharge("b2", 2)
    await produce(platform, kafka, before, poisoned, after, before)

    async with batch_consumer(platform, kafka) as stats:
        await eventually(lambda: stats, lambda s: s.applied + s.duplicates + s.dead_lettered == 4)
        dead = await read_topic(kafka.bootstrap_servers, Topics(platform.topic_prefix).dlq("probe"), 1)

    rows = await applied_rows(platform.database_url)
    assert [r["event_id"] for r in rows] == [before.event_id, after.event_id]
    assert (stats.applied, stats.duplicates, stats.dead_lettered) == (2, 1, 1)
    headers = dict(dead[0].headers)
    assert headers["dlq_error_type"] == b"HandlerAlwaysFails"
    assert headers["dlq_attempts"] == b"3"
    assert RechargeCompleted.model_validate_json(dead[0].value).event_id == poisoned.event_id
