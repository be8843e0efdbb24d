"""Running services and reading topics from tests, with deadlines instead of sleeps."""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.db.engine import plain_url
from shared.runtime import ServiceRuntime
from shared.service import ServiceSpec
from shared.settings import PlatformSettings
from shared.transport import Transport

T = TypeVar("T")


@asynccontextmanager
async def running(
    spec: ServiceSpec, platform: PlatformSettings, transport: Transport, **options: object
) -> AsyncIterator[ServiceRuntime]:
    """A started service (its schema is already migrated in the test database)."""
    runtime = ServiceRuntime(spec, platform, transport, relay_poll_interval=0.2, **options)
    await runtime.start(migrate=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def eventually(
    probe: Callable[[], Awaitable[T] | T], done: Callable[[T], bool], timeout: float = 20.0,
    interval: float = 0.05,
) -> T:
    """Poll `probe` (sync or async) until `done(result)`; fail with the last result after
    `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if inspect.isawaitable(result):
            result = await result
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last result: {result!r}")
        await asyncio.sleep(interval)


async def fetch_all(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def read_topic(
    bootstrap: str, topic: str, count: int, timeout: float = 30.0,
    distinct: Callable[[Any], object] | None = None,
) -> list:
    """Read a topic from the beginning until `count` records (or, with `distinct`, records
    with `count` distinct identities) have arrived; fail after `timeout`."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"reader-{uuid.uuid4().hex[:8]}", enable_auto_commit=False)
    await consumer.start()
    records: list = []
    try:
        deadline = time.monotonic() + timeout
        def arrived() -> int:
            return len({distinct(r) for r in records}) if distinct else len(records)

        while arrived() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: {arrived()} of {count} records in {timeout}s")
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def produce_raw(bootstrap: str, topic: str, messages: list[tuple[str, bytes, list]]) -> None:
    """Put (key, value, headers) records on a topic exactly as given, in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(topic, value, key=key.encode(), headers=headers)
    finally:
        await producer.stop()
