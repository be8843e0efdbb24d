"""The Docker-free runners in patronage.local are real servers: a Kafka broker that keeps
its data across a clean restart and a crash, and a PostgreSQL that answers on TCP.

These start their own servers (module-scoped), independent of the session's shared ones.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from patronage.local.kafka import LocalKafka, ensure_kafka_jars
from patronage.local.postgres import LocalPostgres

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_kafka() -> Iterator[LocalKafka]:
    with LocalKafka(quick_start=True) as kafka:
        yield kafka


@pytest.fixture(scope="module")
def local_postgres() -> Iterator[LocalPostgres]:
    with LocalPostgres(durable=False) as postgres:
        yield postgres


async def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 30) -> list[bytes]:
    """Every value on `topic` from the beginning, once `expected` of them have arrived."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            while len(values) < expected:
                batches = await consumer.getmany(timeout_ms=500)
                values += [record.value for batch in batches.values() for record in batch]
    finally:
        await consumer.stop()
    return values


def test_jars_are_cached_after_the_first_start(local_kafka):
    started = time.monotonic()
    libs = ensure_kafka_jars()
    assert time.monotonic() - started < 1.0, "a cached assembly must not run mvn again"
    assert any(libs.glob("kafka-server-*.jar")) and any(libs.glob("log4j-core-*.jar"))


async def test_broker_keeps_messages_across_a_restart(local_kafka):
    topic = f"local-infra-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=local_kafka.bootstrap_servers,
                                enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before", key=b"member-1")
        assert len(await producer.partitions_for(topic)) == 4  # num.partitions for auto-create
        assert await read_all(local_kafka.bootstrap_servers, topic, 1) == [b"before"]

        address = local_kafka.bootstrap_servers
        await asyncio.to_thread(local_kafka.restart)
        assert local_kafka.bootstrap_servers == address

        # The same producer reconnects to the restarted broker.
        await producer.send_and_wait(topic, b"after", key=b"member-1")
    finally:
        await producer.stop()
    assert await read_all(local_kafka.bootstrap_servers, topic, 2) == [b"before", b"after"]


async def test_broker_recovers_acknowledged_messages_after_a_crash(local_kafka):
    topic = f"local-infra-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=local_kafka.bootstrap_servers,
                                enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for n in range(10):
            await producer.send_and_wait(topic, b"%d" % n, key=b"member-2")
    finally:
        await producer.stop()

    local_kafka.kill()  # SIGKILL: no clean shutdown, the next start recovers the log
    await asyncio.to_thread(local_kafka.start)
    assert await read_all(local_kafka.bootstrap_servers, topic, 10) == [b"%d" % n for n in range(10)]


async def test_postgres_answers_on_tcp_and_creates_databases(local_postgres):
    assert local_postgres.dsn == f"postgresql://postgres@127.0.0.1:{local_postgres.port}/postgres"
    connection = await asyncpg.connect(local_postgres.dsn)
    try:
        assert await connection.fetchval("SELECT 1") == 1
        assert await connection.fetchval("SHOW fsync") == "off"  # durable=False
        assert await connection.fetchval("SHOW max_connections") == "300"
    finally:
        await connection.close()

    dsn = await asyncio.to_thread(local_postgres.create_database, "local_infra_probe")
    assert await asyncio.to_thread(local_postgres.create_database, "local_infra_probe") == dsn
    connection = await asyncpg.connect(dsn)
    try:
        assert await connection.fetchval("SELECT current_database()") == "local_infra_probe"
    finally:
        await connection.close()
    assert (local_postgres.bin_dir / "pgbench").exists()  # benchmarks run it from here


def test_broker_ports_are_outside_the_ephemeral_range(local_kafka):
    from patronage.local import ephemeral_ports

    low, high = ephemeral_ports()
    for port in (local_kafka.port, local_kafka.controller_port):
        assert port is not None and not low <= port <= high, (port, low, high)
