"""What the broker says about a consumer group and a topic, for the metrics sampler and
`patronage dlq list`: how far behind a group is, how many records a topic keeps.

Read from the broker, not from the running consumer, so a consumer that is stuck (a
database outage, a slow handler) or not consuming at all still shows its lag growing.
One admin client and one group-less consumer are kept open between rounds and thrown away
after any failure, so a broker restart costs one failed round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.kafka_transport import REQUEST_TIMEOUT_MS


@dataclass(frozen=True)
class TopicSpan:
    """A topic's retained records, per partition: [beginning, end)."""

    beginning: dict[TopicPartition, int]
    end: dict[TopicPartition, int]

    @property
    def size(self) -> int:
        return sum(self.end[tp] - self.beginning[tp] for tp in self.end)

    def of(self, topic: str) -> TopicSpan:
        return TopicSpan({tp: o for tp, o in self.beginning.items() if tp.topic == topic},
                         {tp: o for tp, o in self.end.items() if tp.topic == topic})

    def behind(self, committed: dict[TopicPartition, int]) -> int:
        """Records after `committed` (a partition never committed: all it retains)."""
        return sum(self.end[tp] - max(committed.get(tp, 0), self.beginning[tp])
                   for tp in self.end)


class KafkaOffsets:
    def __init__(self, bootstrap_servers: str) -> None:
        self._bootstrap = bootstrap_servers
        self._admin: AIOKafkaAdminClient | None = None
        self._reader: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._reader is None:
            await self.close()
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap,
                                        request_timeout_ms=REQUEST_TIMEOUT_MS)
            reader = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                      enable_auto_commit=False,
                                      request_timeout_ms=REQUEST_TIMEOUT_MS)
            try:
                await admin.start()
                await reader.start()
            except BaseException:
                await admin.close()
                await reader.stop()
                raise
            self._admin, self._reader = admin, reader
        return self._admin, self._reader

    async def committed(self, group: str) -> dict[TopicPartition, int]:
        try:
            admin, _ = await self._clients()
            offsets = await admin.list_consumer_group_offsets(group)
        except BaseException:
            await self.close()
            raise
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def span(self, topics: Iterable[str]) -> TopicSpan:
        """The retained records of `topics` (a topic that does not exist yet has none)."""
        try:
            admin, reader = await self._clients()
            partitions = [TopicPartition(described["topic"], p["partition"])
                          for described in await admin.describe_topics(list(topics))
                          if described["error_code"] == 0  # else: no such topic (yet)
                          for p in described["partitions"]]
            if not partitions:
                return TopicSpan({}, {})
            return TopicSpan(await reader.beginning_offsets(partitions),
                             await reader.end_offsets(partitions))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        admin, reader, self._admin, self._reader = self._admin, self._reader, None, None
        if admin is not None:
            await admin.close()
        if reader is not None:
            await reader.stop()
