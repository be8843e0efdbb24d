"""The idempotent consumer on a real Kafka broker and a real PostgreSQL.

The probe service (tests/support/probe.py) records every application of a
`RechargeCompleted` in a table without a unique key, so a double application would show.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from shared.db.engine import create_service_engine
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.events.cloudevents import to_kafka_headers
from shared.events.wallet import PurchaseCompleted, RechargeCompleted
from shared.messaging.consumer import EventConsumer
from shared.messaging.dlq_replay import replay_dead_letters
from shared.messaging.kafka_transport import KafkaDeadLetters, KafkaSource, ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support import probe
from tests.support.runtime import eventually, fetch_all, produce_raw, read_topic, running

pytestmark = pytest.mark.integration


def recharge(member_id: str, n: int = 1) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=datetime.now(UTC), member_id=member_id, recharge_id=f"r-{member_id}-{n}",
        amount=10_000, currency="CNY", payment_method="cash", payment_reference=f"p{n}",
        store_id="s1", terminal_id="t1", channel="pos", is_first_recharge=n == 1,
        lifetime_recharged=10_000 * n,
    )


def as_record(event: RechargeCompleted) -> tuple[str, bytes, list]:
    return event.member_id, event.to_json(), list(to_kafka_headers(event))


async def applied_rows(database_url: str) -> list:
    return await fetch_all(database_url, "SELECT * FROM probe.applied ORDER BY seq")


async def test_an_event_delivered_twice_is_applied_once(platform, kafka):
    topics = Topics(platform.topic_prefix)
    first, second = recharge("m1", 1), recharge("m1", 2)
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet")])
    await produce_raw(kafka.bootstrap_servers, topics.events("wallet"),
                      [as_record(first), as_record(first), as_record(second)])

    async with running(probe.SPEC, platform, KafkaTransport(kafka.bootstrap_servers)) as service:
        stats = service.consumer.stats
        await eventually(lambda: stats, lambda s: s.applied + s.duplicates == 3)

    rows = await applied_rows(platform.database_url)
    assert [row["event_id"] for row in rows] == [first.event_id, second.event_id]
    assert stats.duplicates == 1


class SimulatedCrash(BaseException):
    """Raised where a process would die: after the DB commit, before the offset commit."""


class CrashBeforeOffsetCommit(KafkaSource):
    async def commit(self, next_offsets) -> None:
        raise SimulatedCrash()


async def test_a_consumer_killed_before_its_offset_commit_applies_nothing_twice(platform, kafka):
    topics = Topics(platform.topic_prefix)
    events = [recharge("m2", n) for n in range(1, 4)]
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet"), topics.dlq("probe")])
    await produce_raw(kafka.bootstrap_servers, topics.events("wallet"), [as_record(e) for e in events])
    engine = create_service_engine(platform.database_url, "probe")

    def consumer(source: KafkaSource) -> EventConsumer:
        return EventConsumer(
            name="probe", source=source, handlers={RechargeCompleted: [probe.on_recharge_completed]},
            dead_letters=KafkaDeadLetters(kafka.bootstrap_servers, topics.dlq("probe"), "probe"),
            uow_factory=UnitOfWorkFactory(engine, probe.outbox, topics), inbox_table=probe.inbox,
        )

    try:
        doomed = consumer(CrashBeforeOffsetCommit(kafka.bootstrap_servers, "probe",
                                                  [topics.events("wallet")]))
        with pytest.raises(SimulatedCrash):
            await asyncio.wait_for(doomed.run(asyncio.Event()), timeout=60)
        applied_before_restart = await applied_rows(platform.database_url)
        assert applied_before_restart, "the crash must come after the handler's commit"

        restarted = consumer(KafkaSource(kafka.bootstrap_servers, "probe", [topics.events("wallet")]))
        stop = asyncio.Event()
        task = asyncio.create_task(restarted.run(stop))
        stats = restarted.stats
        await eventually(lambda: stats,
                         lambda s: s.applied + s.duplicates >= len(events))
        stop.set()
        await task
    finally:
        await engine.dispose()

    rows = await applied_rows(platform.database_url)
    assert sorted(r["event_id"] for r in rows) == sorted(e.event_id for e in events)
    assert stats.duplicates == len(applied_before_restart)


async def test_a_poison_message_is_dead_lettered_and_the_next_one_still_applied(platform, kafka):
    topics = Topics(platform.topic_prefix)
    good, poisoned = recharge("m3"), recharge("poison-m4")
    ce_type_header = [("ce_type", RechargeCompleted.ce_type().encode())]
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet")])
    await produce_raw(kafka.bootstrap_servers, topics.events("wallet"), [
        ("m3", b"{not json", ce_type_header),
        ("m3", b"{}", [("ce_type", b"patronage.wallet.NoSuchEvent.v1")]),
        # a type in the catalog that the probe does not handle: skipped unparsed, so even a
        # malformed one is none of this consumer's business (not dead-lettered)
        ("m3", b"{not json", [("ce_type", PurchaseCompleted.ce_type().encode())]),
        as_record(poisoned),
        # a card number in a field, as published before the events refused them
        ("m3", as_record(recharge("m3", 2))[1].replace(b'"p2"', b'"4111111111111111"'),
         ce_type_header),
        as_record(good),
    ])

    async with running(probe.SPEC, platform, KafkaTransport(kafka.bootstrap_servers)) as service:
        await eventually(lambda: applied_rows(platform.database_url), lambda rows: len(rows) == 1)
        dead = await read_topic(kafka.bootstrap_servers, topics.dlq("probe"), 4)
        assert service.consumer.stats.dead_lettered == 4

    assert (await applied_rows(platform.database_url))[0]["event_id"] == good.event_id
    errors = sorted(dict(r.headers)["dlq_error_type"].decode() for r in dead)
    assert errors == ["CardNumberRefused", "HandlerAlwaysFails", "UnknownEventType",
                      "ValidationError"]
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq_original_topic"].decode() == topics.events("wallet")
        assert headers["dlq_consumer"] == b"probe"


async def test_a_replayed_dead_letter_is_applied_once_the_fault_is_fixed(platform, kafka):
    topics = Topics(platform.topic_prefix)
    member = f"poison-{uuid.uuid4().hex[:6]}"
    event = recharge(member)
    await ensure_topics(kafka.bootstrap_servers, [topics.events("wallet")])
    await produce_raw(kafka.bootstrap_servers, topics.events("wallet"), [as_record(event)])

    async with running(probe.SPEC, platform, KafkaTransport(kafka.bootstrap_servers)) as service:
        await read_topic(kafka.bootstrap_servers, topics.dlq("probe"), 1)
        probe.HEALED_MEMBERS.add(member)
        try:
            assert await replay_dead_letters(platform, "probe") == 1
            rows = await eventually(lambda: applied_rows(platform.database_url), lambda r: len(r) == 1)
        finally:
            probe.HEALED_MEMBERS.discard(member)
        assert service.consumer.stats.dead_lettered == 1
    assert rows[0]["event_id"] == event.event_id
    assert await replay_dead_letters(platform, "probe") == 0


async def test_offsets_committed_in_the_background_all_reach_the_group(platform, kafka):
    """`commit` returns before the broker answers. Every commit still lands, in order, the
    last one (made just before `stop`) too: the group's next member starts after it."""
    topic = Topics(platform.topic_prefix).events("wallet")
    await ensure_topics(kafka.bootstrap_servers, [topic], partitions=1)
    await produce_raw(kafka.bootstrap_servers, topic,
                      [as_record(recharge("m-offsets", n)) for n in range(1, 4)])
    group = f"{platform.topic_prefix}offsets"

    first = KafkaSource(kafka.bootstrap_servers, group, [topic])
    await first.start()
    fetched = []
    while len(fetched) < 3:
        fetched += await first.fetch(timeout=1.0, max_records=1)
        await first.commit({fetched[-1].partition_key: fetched[-1].offset + 1})
    await first.stop()

    second = KafkaSource(kafka.bootstrap_servers, group, [topic])
    await second.start()
    try:
        await second.rewind()
        assert await second.fetch(timeout=2.0, max_records=10) == []
    finally:
        await second.stop()
