"""Kafka implementations of the transport protocols (aiokafka)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.messaging.records import IncomingMessage, OutgoingMessage, PartitionKey
from shared.structured_logging import get_logger

log = get_logger(__name__)

# Short enough that a relay notices a dead broker quickly and starts over with a new
# producer; long enough for a healthy broker under load.
REQUEST_TIMEOUT_MS = 15_000


class KafkaPublisher:
    """Idempotent, acks=all producer used by the outbox relay."""

    def __init__(self, bootstrap_servers: str, client_id: str,
                 request_timeout_ms: int = REQUEST_TIMEOUT_MS) -> None:
        self._bootstrap, self._client_id = bootstrap_servers, client_id
        self._request_timeout_ms = request_timeout_ms
        self._producer: AIOKafkaProducer | None = None

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                client_id=self._client_id,
                enable_idempotence=True,
                acks="all",
                # No lingering: the relay hands over a whole batch at once (send() does not
                # yield between messages), so waiting would only add latency to every hop.
                linger_ms=0,
                request_timeout_ms=self._request_timeout_ms,
            )
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        producer = await self._started()
        deliveries = [
            await producer.send(m.topic, m.payload, key=m.key.encode(), headers=list(m.headers))
            for m in messages
        ]
        await asyncio.gather(*deliveries)

    async def partitions_for(self, topic: str) -> set[int]:
        """The topic's partitions (waits for its metadata; creates it if auto-create is on)."""
        return set(await (await self._started()).partitions_for(topic))

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()


class KafkaSource:
    """A consumer-group member with manual offset commits."""

    def __init__(self, bootstrap_servers: str, group: str, topics: Iterable[str]) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            group_id=group,
            client_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=REQUEST_TIMEOUT_MS,
        )
        self._pending_commit: asyncio.Future[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()

    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
        batches = await self._consumer.getmany(
            timeout_ms=int(timeout * 1000), max_records=max_records
        )
        return [
            IncomingMessage(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers))
            for records in batches.values()
            for r in records
        ]

    def assignment(self) -> set[PartitionKey]:
        """The partitions the group gave this member now (they move on a rebalance)."""
        return {(tp.topic, tp.partition) for tp in self._consumer.assignment()}

    async def commit(self, next_offsets: Mapping[PartitionKey, int]) -> None:
        """Send the offsets and return without waiting for the broker's answer: the next
        batch starts at once instead of a broker round trip later. Commits stay in order
        (each waits for the one before). A lost or failed commit only redelivers events
        the inbox has already claimed, so it is logged, never raised."""
        await self._settle_commit()
        offsets = {TopicPartition(topic, partition): offset
                   for (topic, partition), offset in next_offsets.items()}
        self._pending_commit = asyncio.ensure_future(self._consumer.commit(offsets))

    async def _settle_commit(self) -> None:
        pending, self._pending_commit = self._pending_commit, None
        if pending is not None:
            try:
                await pending
            except Exception as error:  # a rebalance, a broker away: redelivery, deduplicated
                log.warning("offset_commit_failed", error=repr(error))

    async def rewind(self) -> None:
        await self._settle_commit()
        for partition in self._consumer.assignment():
            committed = await self._consumer.committed(partition)
            if committed is None:
                await self._consumer.seek_to_beginning(partition)
            else:
                self._consumer.seek(partition, committed)

    async def stop(self) -> None:
        await self._settle_commit()
        await self._consumer.stop()


class KafkaDeadLetters:
    """Sends a failed message to `<group>.dlq` with the error in its headers."""

    def __init__(self, bootstrap_servers: str, topic: str, consumer: str) -> None:
        self._publisher = KafkaPublisher(bootstrap_servers, f"{consumer}-dlq")
        self._topic, self._consumer = topic, consumer

    async def send(self, message: IncomingMessage, error: BaseException, attempts: int) -> None:
        headers = message.headers + dead_letter_headers(message, error, attempts, self._consumer)
        key = message.key.decode() if message.key else ""
        await self._publisher.publish(
            [OutgoingMessage(message.offset, self._topic, key, headers, message.value)]
        )

    async def stop(self) -> None:
        await self._publisher.stop()


def dead_letter_headers(
    message: IncomingMessage, error: BaseException, attempts: int, consumer: str
) -> tuple[tuple[str, bytes], ...]:
    facts = {
        "dlq_consumer": consumer,
        "dlq_error_type": type(error).__name__,
        "dlq_error": str(error)[:4000],
        "dlq_attempts": str(attempts),
        "dlq_original_topic": message.topic,
        "dlq_original_partition": str(message.partition),
        "dlq_original_offset": str(message.offset),
        "dlq_failed_at": datetime.now(UTC).isoformat(),
    }
    return tuple((name, value.encode()) for name, value in facts.items())


async def ensure_topics(bootstrap_servers: str, topics: Iterable[str], partitions: int = 6) -> None:
    """Create the topics that do not exist yet (idempotent; safe from every replica)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
