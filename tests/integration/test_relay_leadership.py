"""One relay leads per service; a standby takes over when the leader stops, and the
NOTIFY trigger wakes the leader without waiting for its poll."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from shared.db.engine import create_service_engine, plain_url
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.events.wallet import RechargeCompleted
from shared.messaging.in_process_bus import BusPublisher, InProcessBus
from shared.messaging.relay import OutboxRelay
from shared.topics import Topics
from tests.support import probe
from tests.support.runtime import eventually

pytestmark = pytest.mark.integration


def event(n: int) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=datetime.now(UTC), member_id="m1", recharge_id=f"r{n}", amount=1,
        currency="CNY", payment_method="cash", payment_reference="p", store_id="s",
        channel="pos", is_first_recharge=n == 0, lifetime_recharged=n + 1)


async def test_a_standby_relay_takes_over_and_nothing_is_published_twice(database_url):
    bus, topics = InProcessBus(), Topics()
    engine = create_service_engine(database_url, "probe")
    uow = UnitOfWorkFactory(engine, probe.outbox, topics)

    def relay() -> OutboxRelay:
        # a poll slower than the assertion below: only the NOTIFY can make publication quick
        return OutboxRelay(plain_url(database_url), "probe", BusPublisher(bus), poll_interval=5)

    first, second = relay(), relay()
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(first.run(stop_first))]
    await eventually(lambda: first.is_leader, bool)
    tasks.append(asyncio.create_task(second.run(stop_second)))
    try:
        started = time.monotonic()
        async with uow() as unit:
            unit.emit(event(0))
        await eventually(lambda: first.published_count, lambda n: n == 1)
        assert time.monotonic() - started < 2, "NOTIFY should wake the relay at once"
        assert not second.is_leader

        stop_first.set()
        await tasks[0]
        await eventually(lambda: second.is_leader, bool, timeout=20)
        async with uow() as unit:
            unit.emit(event(1))
        await eventually(lambda: second.published_count, lambda n: n == 1)
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.gather(*tasks)
        await engine.dispose()

    published = [RechargeCompleted.model_validate_json(m.value).recharge_id
                 for m in bus.records(topics.events("wallet"))]
    assert published == ["r0", "r1"]
