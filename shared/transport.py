"""How a runtime reaches the other services: Kafka in production and tests, the in-process
bus for `patronage dev`. Both hand out the same three things."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.broker_figures import BrokerFigures, BusFigures, KafkaFigures
from shared.messaging.in_process_bus import BusDeadLetters, BusPublisher, BusSource, InProcessBus
from shared.messaging.kafka_transport import (
    KafkaDeadLetters,
    KafkaPublisher,
    KafkaSource,
    ensure_topics,
)
from shared.messaging.records import DeadLetterSink, MessageSource, Publisher


class Transport(Protocol):
    def publisher(self, service: str) -> Publisher: ...
    def source(self, group: str, topics: Iterable[str]) -> MessageSource: ...
    def dead_letters(self, group: str, topic: str) -> DeadLetterSink: ...
    async def prepare(self, topics: Iterable[str]) -> None: ...
    async def check_reachable(self) -> None: ...
    def figures(self) -> BrokerFigures: ...  # consumer lag and dead letters, for /metrics


@dataclass(frozen=True)
class KafkaTransport:
    bootstrap_servers: str
    partitions: int = 6

    def publisher(self, service: str) -> Publisher:
        return KafkaPublisher(self.bootstrap_servers, f"{service}-relay")

    def source(self, group: str, topics: Iterable[str]) -> MessageSource:
        return KafkaSource(self.bootstrap_servers, group, topics)

    def dead_letters(self, group: str, topic: str) -> DeadLetterSink:
        return KafkaDeadLetters(self.bootstrap_servers, topic, group)

    async def prepare(self, topics: Iterable[str]) -> None:
        await ensure_topics(self.bootstrap_servers, topics, self.partitions)

    def figures(self) -> BrokerFigures:
        return KafkaFigures(self.bootstrap_servers)

    async def check_reachable(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers,
                                    request_timeout_ms=2000)
        await admin.start()
        await admin.close()


@dataclass(frozen=True)
class BusTransport:
    bus: InProcessBus = field(default_factory=InProcessBus)

    def publisher(self, service: str) -> Publisher:
        return BusPublisher(self.bus)

    def source(self, group: str, topics: Iterable[str]) -> MessageSource:
        return BusSource(self.bus, group, topics)

    def dead_letters(self, group: str, topic: str) -> DeadLetterSink:
        return BusDeadLetters(self.bus, topic, group)

    async def prepare(self, topics: Iterable[str]) -> None:
        return None

    def figures(self) -> BrokerFigures:
        return BusFigures(self.bus)

    async def check_reachable(self) -> None:
        return None
