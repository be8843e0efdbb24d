"""The recharge's transaction sends no NOTIFY (PostgreSQL would serialise such commits); the
wallet wakes the relay after the commit instead, and every other outbox write still notifies."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson

from services.wallet.api.schemas.recharges import RechargeRequest
from services.wallet.rules.recharges import StoredValueLimits
from services.wallet.store.recharges import record_recharge
from shared.clock import SystemClock
from shared.db.engine import plain_url
from shared.db.messaging_tables import notify_channel
from shared.db.statement_pool import StatementPool
from shared.topics import Topics
from tests.integration.wallet.money import recharge


@asynccontextmanager
async def listening(database_url: str) -> AsyncIterator[list[str]]:
    heard: list[str] = []
    connection = await asyncpg.connect(plain_url(database_url))
    await connection.add_listener(notify_channel("wallet"),
                                  lambda *args: heard.append(args[2]))
    try:
        yield heard
    finally:
        await connection.close()


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout}s"
        await asyncio.sleep(0.02)


async def write_an_outbox_row_the_ordinary_way(database_url: str) -> None:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        await connection.execute(
            "INSERT INTO wallet.outbox (event_id, topic, key, ce_type, headers, payload) "
            "VALUES ($1, 'control', 'm_control', 'control', '{}', $2)",
            uuid.uuid4(), orjson.dumps({"control": True}))
    finally:
        await connection.close()


def a_recharge_request(member: str) -> RechargeRequest:
    reference = uuid.uuid4().hex
    return RechargeRequest(member_id=member, amount=100, currency="CNY", payment_method="cash",
                           payment_reference=reference, store_id="store_1", terminal_id="pos_1",
                           pos_reference=reference)


async def test_the_recharge_statement_itself_notifies_nobody(database_url):
    statements = StatementPool(database_url, "wallet", size=1)
    await statements.open()
    try:
        async with listening(database_url) as heard:
            outcome = await record_recharge(
                statements, scope="test", key=uuid.uuid4().hex, fingerprint=b"x",
                request=a_recharge_request("m_quiet"), limits=StoredValueLimits({"CNY"}, 10**6, 10**6),
                clock=SystemClock(), topics=Topics(""), reference_key="test-key")
            assert outcome.outcome == "created"
            # Notifications arrive in commit order: once the control's is heard, a NOTIFY
            # from the recharge's earlier commit would have been heard before it.
            await write_an_outbox_row_the_ordinary_way(database_url)
            await until(lambda: len(heard) >= 1)
    finally:
        await statements.close()
    assert len(heard) == 1
    rows = await asyncpg.connect(plain_url(database_url))
    try:
        assert await rows.fetchval("SELECT count(*) FROM wallet.outbox") == 2
    finally:
        await rows.close()


async def test_a_recharge_over_http_wakes_the_relay_after_its_commit(client, bus_platform):
    async with listening(bus_platform.database_url) as heard:
        await recharge(client, "m_awake", 100)
        await until(lambda: len(heard) >= 1)
