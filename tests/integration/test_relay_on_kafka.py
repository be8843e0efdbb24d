"""The outbox relay on a real broker: nothing lost, and each member's events in order,
even when the broker restarts while events are being written and published."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from shared.db.engine import create_service_engine, plain_url
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.events.wallet import RechargeCompleted
from shared.messaging.kafka_transport import KafkaPublisher, ensure_topics
from shared.messaging.relay import OutboxRelay
from shared.topics import Topics
from tests.support import probe
from tests.support.runtime import eventually, fetch_all, read_topic

pytestmark = pytest.mark.integration

MEMBERS = [f"member-{n}" for n in range(5)]


def numbered(member_id: str, n: int) -> RechargeCompleted:
    return RechargeCompleted(
        occurred_at=datetime.now(UTC), member_id=member_id, recharge_id=f"{member_id}:{n:05d}",
        amount=100, currency="CNY", payment_method="cash", payment_reference="p",
        store_id="s", terminal_id="t", channel="pos", is_first_recharge=n == 0,
        lifetime_recharged=100 * (n + 1),
    )


async def write_round(uow_factory: UnitOfWorkFactory, n: int) -> None:
    for member in MEMBERS:
        async with uow_factory() as uow:
            uow.emit(numbered(member, n))


async def test_relay_keeps_each_members_order_across_a_broker_restart(platform, kafka):
    if not kafka.can_restart:
        pytest.skip("this Kafka cannot be restarted from the test (not the local runner)")
    topics = Topics(platform.topic_prefix)
    topic = topics.events("wallet")
    await ensure_topics(kafka.bootstrap_servers, [topic])
    engine = create_service_engine(platform.database_url, "probe")
    uow_factory = UnitOfWorkFactory(engine, probe.outbox, topics)
    relay = OutboxRelay(plain_url(platform.database_url), "probe",
                        # a timeout shorter than the restart, so sends fail and the relay
                        # must resend with a fresh producer: the path that could reorder
                        KafkaPublisher(kafka.bootstrap_servers, "probe-relay",
                                       request_timeout_ms=1500),
                        batch_size=50, poll_interval=0.2, max_backoff=1.0)
    stop = asyncio.Event()
    relaying = asyncio.create_task(relay.run(stop))
    rounds = 0
    try:
        for rounds in range(20):
            await write_round(uow_factory, rounds)
        await eventually(lambda: relay.published_count, lambda n: n > 0)
        restarting = asyncio.create_task(asyncio.to_thread(kafka.restart))
        while not restarting.done():  # keep writing while the broker goes down and comes back
            rounds += 1
            await write_round(uow_factory, rounds)
            await asyncio.sleep(0.02)
        await restarting
        for _ in range(20):
            rounds += 1
            await write_round(uow_factory, rounds)
        rounds += 1
        unpublished = "SELECT count(*) AS n FROM probe.outbox WHERE published_at IS NULL"
        await eventually(lambda: fetch_all(platform.database_url, unpublished),
                         lambda rows: rows[0]["n"] == 0, timeout=90)
    finally:
        stop.set()
        await relaying
        await engine.dispose()

    assert relay.failed_batches > 0, "the restart should have made some sends fail"
    total = len(MEMBERS) * rounds
    records = await read_topic(kafka.bootstrap_servers, topic, total, timeout=60,
                               distinct=lambda r: dict(r.headers)["ce_id"])
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen_ids: set[bytes] = set()
    for record in records:
        event_id = dict(record.headers)["ce_id"]
        if event_id in seen_ids:
            continue  # a redelivery after the restart; consumers' inboxes drop these
        seen_ids.add(event_id)
        member, n = RechargeCompleted.model_validate_json(record.value).recharge_id.split(":")
        first_seen[member].append(int(n))
    assert len(seen_ids) == total
    for member in MEMBERS:
        assert first_seen[member] == list(range(rounds)), f"{member} out of order"
