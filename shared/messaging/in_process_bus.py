"""An in-process bus with Kafka's contract, for `patronage dev` and fast tests.

What it keeps of Kafka: topics split into partitions by a hash of the key (so one member's
events stay in order), consumer groups with their own committed offsets, a fetch that
returns records after the group's position, and redelivery of everything after the last
committed offset when a consumer rewinds (as after a failed batch or a restart).
What it does not keep: durability. It lives and dies with the process.
"""

from __future__ import annotations

import asyncio
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from shared.messaging.kafka_transport import dead_letter_headers
from shared.messaging.records import IncomingMessage, OutgoingMessage, PartitionKey


class InProcessBus:
    def __init__(self, partitions: int = 4) -> None:
        self.partitions = partitions
        self._logs: dict[str, list[list[IncomingMessage]]] = {}
        self._committed: dict[tuple[str, PartitionKey], int] = defaultdict(int)
        self._appended = asyncio.Condition()

    def partition_for(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.partitions

    def partition_logs(self, topic: str) -> list[list[IncomingMessage]]:
        return self._logs.setdefault(topic, [[] for _ in range(self.partitions)])

    async def append(self, topic: str, key: str, headers: tuple, value: bytes) -> None:
        partition = self.partition_for(key)
        log = self.partition_logs(topic)[partition]
        log.append(IncomingMessage(topic, partition, len(log), key.encode(), value, headers))
        async with self._appended:
            self._appended.notify_all()

    def records(self, topic: str) -> list[IncomingMessage]:
        """Every record of a topic, partition by partition (for tests and the DLQ CLI)."""
        return [m for partition in self.partition_logs(topic) for m in partition]

    def committed(self, group: str, key: PartitionKey) -> int:
        return self._committed[(group, key)]

    def backlog(self, group: str, topics: Iterable[str]) -> int:
        """Records of `topics` the group has not committed yet (0: it has caught up)."""
        return sum(len(log) - self.committed(group, (topic, partition))
                   for topic in topics
                   for partition, log in enumerate(self.partition_logs(topic)))

    def commit(self, group: str, offsets: Mapping[PartitionKey, int]) -> None:
        for key, offset in offsets.items():
            self._committed[(group, key)] = offset

    async def wait_for_append(self, timeout: float) -> None:
        async with self._appended:
            try:
                await asyncio.wait_for(self._appended.wait(), timeout)
            except TimeoutError:
                pass


class BusPublisher:
    def __init__(self, bus: InProcessBus) -> None:
        self._bus = bus

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None:
        for m in messages:
            await self._bus.append(m.topic, m.key, m.headers, m.payload)

    async def stop(self) -> None:
        return None


class BusSource:
    """The only member of its group: it owns every partition of its topics."""

    def __init__(self, bus: InProcessBus, group: str, topics: Iterable[str]) -> None:
        self._bus, self._group, self._topics = bus, group, tuple(topics)
        self._positions: dict[PartitionKey, int] = {}

    async def start(self) -> None:
        await self.rewind()

    async def rewind(self) -> None:
        self._positions = {
            (topic, p): self._bus.committed(self._group, (topic, p))
            for topic in self._topics for p in range(self._bus.partitions)
        }

    def _available(self, max_records: int) -> list[IncomingMessage]:
        batch: list[IncomingMessage] = []
        for (topic, partition), position in self._positions.items():
            log = self._bus.partition_logs(topic)[partition]
            taken = log[position: position + max_records - len(batch)]
            batch.extend(taken)
            self._positions[(topic, partition)] = position + len(taken)
            if len(batch) >= max_records:
                break
        return batch

    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]:
        batch = self._available(max_records)
        if not batch:
            await self._bus.wait_for_append(timeout)
            batch = self._available(max_records)
        return batch

    async def commit(self, next_offsets: Mapping[PartitionKey, int]) -> None:
        self._bus.commit(self._group, next_offsets)

    async def stop(self) -> None:
        return None


class BusDeadLetters:
    def __init__(self, bus: InProcessBus, topic: str, consumer: str) -> None:
        self._bus, self._topic, self._consumer = bus, topic, consumer

    async def send(self, message: IncomingMessage, error: BaseException, attempts: int) -> None:
        headers = message.headers + dead_letter_headers(message, error, attempts, self._consumer)
        key = message.key.decode() if message.key else ""
        await self._bus.append(self._topic, key, headers, message.value)

    async def stop(self) -> None:
        return None
