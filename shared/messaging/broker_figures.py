"""The broker's side of a service's figures, the same question over Kafka and over the
in-process bus: how far behind is the group on each topic, how many dead letters wait."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.messaging.in_process_bus import InProcessBus
from shared.messaging.kafka_offsets import KafkaOffsets


@dataclass(frozen=True)
class DeadLetterCount:
    kept: int  # records on <group>.dlq
    unreplayed: int  # of those, not yet re-driven by `patronage dlq replay`


class BrokerFigures(Protocol):
    async def lag(self, group: str, topics: Sequence[str]) -> dict[str, int]: ...
    async def dead_letters(self, group: str, dlq_topic: str) -> DeadLetterCount: ...
    async def close(self) -> None: ...


def replay_group(group: str) -> str:
    """The consumer group `patronage dlq replay` commits its progress under."""
    return f"{group}.dlq-replay"


class KafkaFigures:
    def __init__(self, bootstrap_servers: str) -> None:
        self._offsets = KafkaOffsets(bootstrap_servers)

    async def lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        committed = await self._offsets.committed(group)
        span = await self._offsets.span(topics)
        return {topic: span.of(topic).behind(committed) for topic in topics}

    async def dead_letters(self, group: str, dlq_topic: str) -> DeadLetterCount:
        span = await self._offsets.span([dlq_topic])
        replayed = await self._offsets.committed(replay_group(group))
        return DeadLetterCount(span.size, span.behind(replayed))

    async def close(self) -> None:
        await self._offsets.close()


class BusFigures:
    """`patronage dev`'s bus keeps everything in memory and has no replay command."""

    def __init__(self, bus: InProcessBus) -> None:
        self._bus = bus

    async def lag(self, group: str, topics: Sequence[str]) -> dict[str, int]:
        return {topic: self._bus.backlog(group, [topic]) for topic in topics}

    async def dead_letters(self, group: str, dlq_topic: str) -> DeadLetterCount:
        kept = len(self._bus.records(dlq_topic))
        return DeadLetterCount(kept, kept)

    async def close(self) -> None:
        return None
