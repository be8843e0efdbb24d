"""Faults in the messages themselves: records already consumed put on their topic again,
exactly as they were (the same event ids: every consumer's inbox must drop them), and
poison messages (a known event type whose body is not that event) that every group
handling the type must dead-letter, never apply and never retry forever."""

from __future__ import annotations

import random
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from patronage.services import SERVICES
from shared.events.cloudevents import header_value
from shared.events.wallet import RechargeCompleted
from shared.topics import Topics

TOPICS = Topics()
POISON_TYPE = RechargeCompleted


async def replay(bootstrap: str, producer_service: str, count: int, rng: random.Random,
                 timeout: float = 15.0) -> int:
    """Re-produce `count` records picked at random among the first thousand of
    `<producer_service>.events` (or all of them, if fewer); how many were sent again."""
    topic = TOPICS.events(producer_service)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"chaos-replay-{uuid.uuid4().hex[:8]}",
                                enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        deadline = time.monotonic() + timeout
        while len(records) < 1000 and time.monotonic() < deadline:
            fetched = await consumer.getmany(timeout_ms=500)
            if not fetched and records:  # caught up (an empty fetch before the join is not)
                break
            for batch in fetched.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    records = rng.sample(records, min(count, len(records)))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(topic, record.value, key=record.key,
                                         headers=list(record.headers))
    finally:
        await producer.stop()
    return len(records)


def poison_groups() -> list[str]:
    """The consumer groups that handle the poison's type: each must dead-letter it."""
    producer = POISON_TYPE.producer_name
    return [name for name, spec in SERVICES.items()
            if producer in spec.subscribes_to and POISON_TYPE in spec.handlers]


async def send_poison(bootstrap: str, key: str) -> None:
    headers = [("ce_id", str(uuid.uuid4()).encode()), ("ce_type", POISON_TYPE.ce_type().encode()),
               ("ce_source", b"chaos"), ("ce_specversion", b"1.0"), ("ce_subject", key.encode()),
               ("content-type", b"application/json")]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(TOPICS.events(POISON_TYPE.producer_name),
                                     b'{"member_id": "' + key.encode() + b'", "amount": "lots"}',
                                     key=key.encode(), headers=headers)
    finally:
        await producer.stop()


async def dead_lettered(bootstrap: str, keys: set[str], timeout: float = 10.0) -> dict[str, set[str]]:
    """Per group that must dead-letter the poison, which of `keys` its DLQ holds."""
    found: dict[str, set[str]] = {}
    for group in poison_groups():
        consumer = AIOKafkaConsumer(TOPICS.dlq(group), bootstrap_servers=bootstrap,
                                    auto_offset_reset="earliest", enable_auto_commit=False,
                                    group_id=f"chaos-dlq-{uuid.uuid4().hex[:8]}")
        await consumer.start()
        seen: set[str] = set()
        try:
            deadline = time.monotonic() + timeout
            while not keys <= seen and time.monotonic() < deadline:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    seen |= {header_value(r.headers, "ce_subject") or "" for r in batch}
        finally:
            await consumer.stop()
        found[group] = seen & keys
    return found
