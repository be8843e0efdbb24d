"""Re-driving dead letters: every message in `<group>.dlq` goes back to the topic it came
from, without its `dlq_*` headers, and the replay's own offsets are committed as it goes,
so running it twice does not replay twice. Consumers that already applied an event skip it
through their inbox; the group that dead-lettered it applies it now (its claim was
released when the message was dead-lettered)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.messaging.kafka_transport import KafkaPublisher
from shared.messaging.records import OutgoingMessage
from shared.settings import PlatformSettings
from shared.topics import Topics


def _original(headers: list[tuple[str, bytes]]) -> tuple[str, tuple[tuple[str, bytes], ...]]:
    found = dict(headers).get("dlq_original_topic")
    if found is None:
        raise ValueError("dead letter without a dlq_original_topic header")
    return found.decode(), tuple((k, v) for k, v in headers if not k.startswith("dlq_"))


async def replay_dead_letters(platform: PlatformSettings, group: str, dry_run: bool = False) -> int:
    topic = Topics(platform.topic_prefix).dlq(group)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.kafka_bootstrap, group_id=f"{group}.dlq-replay",
        enable_auto_commit=False, auto_offset_reset="earliest",
    )
    publisher = KafkaPublisher(platform.kafka_bootstrap, f"{group}-dlq-replay")
    await consumer.start()
    replayed = 0
    try:
        partitions = [TopicPartition(topic, p) for p in await publisher.partitions_for(topic)]
        if not partitions:
            return 0
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        if dry_run:
            return sum([ends[tp] - await consumer.position(tp) for tp in partitions])
        while await _behind(consumer, ends):
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            for tp, records in batches.items():
                messages = []
                for record in records:
                    original_topic, headers = _original(list(record.headers))
                    key = record.key.decode() if record.key else ""
                    messages.append(OutgoingMessage(record.offset, original_topic, key, headers,
                                                    record.value))
                await publisher.publish(messages)
                await consumer.commit({tp: records[-1].offset + 1})
                replayed += len(messages)
    finally:
        await publisher.stop()
        await consumer.stop()
    return replayed


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    return any([await consumer.position(tp) < end for tp, end in ends.items()])
