"""The transport-neutral shapes that cross between the outbox, a transport and a consumer.

Kafka and the in-process bus both speak these, so the relay and the consumer engine are
written once and proven on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

Headers = tuple[tuple[str, bytes], ...]
PartitionKey = tuple[str, int]


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One outbox row on its way to a topic."""

    position: int
    topic: str
    key: str
    headers: Headers
    payload: bytes


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers

    @property
    def partition_key(self) -> PartitionKey:
        return (self.topic, self.partition)


class Publisher(Protocol):
    """Sends a batch in order; returns only once every message is acknowledged, else raises.

    `publish` connects on first use; `stop` throws the connection away, so the next
    `publish` starts afresh (the relay does that after any failure).
    """

    async def publish(self, messages: Sequence[OutgoingMessage]) -> None: ...
    async def stop(self) -> None: ...


class MessageSource(Protocol):
    """A consumer group member's view of its topics."""

    async def start(self) -> None: ...
    async def fetch(self, timeout: float, max_records: int) -> list[IncomingMessage]: ...
    async def commit(self, next_offsets: Mapping[PartitionKey, int]) -> None:
        """Record the offsets; may return before they are durable (at worst, redelivery)."""
        ...
    async def rewind(self) -> None:
        """Go back to the last committed offsets, so an unfinished batch is redelivered."""
        ...
    async def stop(self) -> None: ...


class DeadLetterSink(Protocol):
    async def send(self, message: IncomingMessage, error: BaseException, attempts: int) -> None: ...
    async def stop(self) -> None: ...
