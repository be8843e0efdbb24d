"""Reading what is dead-lettered and why, for `patronage dlq list`: the newest `limit`
records of `<group>.dlq` with the facts the consumer wrote in their `dlq_*` headers.

Only reads: it commits nothing and uses no consumer group, so listing never moves what
`patronage dlq replay` will re-drive. A record is `replayed` when the replay's group
(`<group>.dlq-replay`) has committed past it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.messaging.broker_figures import replay_group
from shared.messaging.kafka_offsets import KafkaOffsets
from shared.settings import PlatformSettings
from shared.topics import Topics

MAX_LIMIT = 1000


@dataclass(frozen=True)
class DeadLetter:
    dlq_partition: int
    dlq_offset: int
    original_topic: str
    original_partition: int | None
    original_offset: int | None
    event_type: str
    member_key: str
    error_type: str
    error: str
    attempts: int | None
    failed_at: str
    replayed: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.lstrip("-").isdigit() else None


def dead_letter(record: ConsumerRecord, replayed_up_to: dict[TopicPartition, int]) -> DeadLetter:
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers}
    position = TopicPartition(record.topic, record.partition)
    return DeadLetter(
        dlq_partition=record.partition, dlq_offset=record.offset,
        original_topic=headers.get("dlq_original_topic", "?"),
        original_partition=_number(headers.get("dlq_original_partition")),
        original_offset=_number(headers.get("dlq_original_offset")),
        event_type=headers.get("ce_type", "?"),
        member_key=record.key.decode("utf-8", "replace") if record.key else "",
        error_type=headers.get("dlq_error_type", "?"), error=headers.get("dlq_error", ""),
        attempts=_number(headers.get("dlq_attempts")), failed_at=headers.get("dlq_failed_at", ""),
        replayed=record.offset < replayed_up_to.get(position, 0),
    )


async def list_dead_letters(platform: PlatformSettings, group: str, limit: int = 20,
                            unreplayed_only: bool = False) -> list[DeadLetter]:
    """The newest `limit` dead letters of `group` (newest first)."""
    limit = max(1, min(limit, MAX_LIMIT))
    topic = Topics(platform.topic_prefix).dlq(group)
    offsets = KafkaOffsets(platform.kafka_bootstrap)
    try:
        span = await offsets.span([topic])
        replayed = await offsets.committed(replay_group(group))
    finally:
        await offsets.close()
    starts = {tp: max(span.beginning[tp], span.end[tp] - limit,
                      replayed.get(tp, 0) if unreplayed_only else 0) for tp in span.end}
    wanted = {tp: start for tp, start in starts.items() if start < span.end[tp]}
    if not wanted:
        return []
    reader = AIOKafkaConsumer(bootstrap_servers=platform.kafka_bootstrap, group_id=None,
                              enable_auto_commit=False)
    await reader.start()
    found: list[DeadLetter] = []
    try:
        reader.assign(list(wanted))
        for tp, start in wanted.items():
            reader.seek(tp, start)
        while any([await reader.position(tp) < span.end[tp] for tp in wanted]):
            for records in (await reader.getmany(timeout_ms=1000, max_records=500)).values():
                found += [dead_letter(r, replayed) for r in records if r.offset < span.end[
                    TopicPartition(r.topic, r.partition)]]
    finally:
        await reader.stop()
    found.sort(key=lambda letter: (letter.failed_at, letter.dlq_offset), reverse=True)
    return found[:limit]
