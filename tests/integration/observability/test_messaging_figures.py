"""The messaging gauges of `/metrics` on real Kafka and PostgreSQL: they move when the
platform is in trouble and come back when it recovers."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from services.tiering.service import SPEC as TIERING
from services.wallet.service import SPEC as WALLET
from shared.events.cloudevents import to_kafka_headers
from shared.events.wallet import BonusCredited
from shared.messaging.dlq_list import list_dead_letters
from shared.messaging.dlq_replay import replay_dead_letters
from shared.messaging.kafka_transport import KafkaPublisher
from shared.messaging.records import Publisher
from shared.service import SideConsumer
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.metrics import read_metric
from tests.support.runtime import eventually, produce_raw, read_topic, running
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.asyncio
SAMPLED_OFTEN = {"figures_every_seconds": 0.2}


@dataclasses.dataclass(frozen=True)
class RelayThroughProxy(KafkaTransport):
    """Real Kafka, except that the outbox relay bootstraps through a proxy the test cuts:
    the relay cannot reach the broker while the rest of the service can."""

    relay_bootstrap: str = ""

    def publisher(self, service: str) -> Publisher:
        return KafkaPublisher(self.relay_bootstrap, f"{service}-relay", request_timeout_ms=2000)


def credited(member_id: str) -> BonusCredited:
    return BonusCredited(occurred_at=datetime.now(UTC), member_id=member_id,
                         grant_id=uuid.uuid4(), recharge_id=f"r-{uuid.uuid4().hex[:8]}",
                         amount=100, currency="CNY", bonus_balance=100)


async def test_outbox_backlog_grows_while_the_broker_is_unreachable(platform, kafka):
    host, port = kafka.bootstrap_servers.split(",")[0].rsplit(":", 1)
    proxy = TcpProxy(host, int(port))  # not listening yet: the broker is unreachable
    transport = RelayThroughProxy(kafka.bootstrap_servers,
                                  relay_bootstrap=f"127.0.0.1:{proxy.port}")
    settings = platform.model_copy(update=SAMPLED_OFTEN)
    async with running(WALLET, settings, transport) as wallet:
        events = [credited(f"m-{n}") for n in range(3)]
        async with wallet.context.uow() as uow:
            for event in events:
                uow.emit(event)
        backlog = await eventually(
            lambda: read_metric(wallet.app, "patronage_outbox_backlog", service="wallet"),
            lambda value: value == 3)
        assert backlog == 3
        oldest = await eventually(
            lambda: read_metric(wallet.app, "patronage_outbox_oldest_unpublished_seconds",
                                service="wallet"),
            lambda value: value is not None and value >= 1.0)
        assert oldest >= 1.0

        await proxy.start()  # the broker is back
        try:
            await eventually(
                lambda: read_metric(wallet.app, "patronage_outbox_backlog", service="wallet"),
                lambda value: value == 0, timeout=60)
            assert await read_metric(wallet.app, "patronage_outbox_oldest_unpublished_seconds",
                                     service="wallet") == 0
            published = await read_topic(kafka.bootstrap_servers,
                                         Topics(platform.topic_prefix).events("wallet"), 3)
            assert {r.key.decode() for r in published} == {e.member_id for e in events}
        finally:
            await proxy.cut()


async def test_consumer_lag_and_dead_letters_move_and_recover(platform):
    gate, fixed, failures = asyncio.Event(), asyncio.Event(), []
    poison_member = "m-poison"

    async def held_until_the_gate_opens(event, uow, settings) -> None:
        await gate.wait()
        if event.member_id == poison_member and not fixed.is_set():
            failures.append(event.event_id)
            raise RuntimeError("a handler bug, fixed before the replay")

    spec = dataclasses.replace(TIERING, handlers={BonusCredited: [held_until_the_gate_opens]})
    topics = Topics(platform.topic_prefix)
    wallet_events = topics.events("wallet")
    transport = KafkaTransport(platform.kafka_bootstrap)
    settings = platform.model_copy(update=SAMPLED_OFTEN)

    async def lag() -> float | None:
        return await read_metric(tiering.app, "patronage_consumer_lag", group="tiering",
                                 topic=wallet_events)

    async with running(spec, settings, transport) as tiering:
        events = [credited(f"m-{n}") for n in range(4)] + [credited(poison_member)]
        await produce_raw(platform.kafka_bootstrap, wallet_events,
                          [(e.member_id, e.to_json(), to_kafka_headers(e)) for e in events])
        assert await eventually(lag, lambda value: value == 5) == 5  # held: nothing committed

        gate.set()
        assert await eventually(lag, lambda value: value == 0, timeout=30) == 0
        dead = await eventually(
            lambda: read_metric(tiering.app, "patronage_dlq_messages", group="tiering"),
            lambda value: value == 1)
        assert dead == 1
        assert await read_metric(tiering.app, "patronage_dlq_unreplayed", group="tiering") == 1
        [listed] = await list_dead_letters(settings, "tiering")
        poison = events[-1]
        assert (listed.event_type, listed.member_key, listed.original_topic) == (
            poison.ce_type(), poison_member, wallet_events)
        assert (listed.error_type, listed.error, listed.attempts, listed.replayed) == (
            "RuntimeError", "a handler bug, fixed before the replay", 3, False)
        assert listed.original_offset is not None and listed.failed_at

        fixed.set()
        assert await replay_dead_letters(settings, "tiering") == 1
        [after_replay] = await list_dead_letters(settings, "tiering")
        assert after_replay.replayed and after_replay.dlq_offset == listed.dlq_offset
        assert await list_dead_letters(settings, "tiering", unreplayed_only=True) == []
        assert await eventually(
            lambda: read_metric(tiering.app, "patronage_dlq_unreplayed", group="tiering"),
            lambda value: value == 0) == 0
        assert await read_metric(tiering.app, "patronage_dlq_messages", group="tiering") == 1
        assert await eventually(lag, lambda value: value == 0) == 0
        # one event failed: on the batch's fast path, then in three isolated attempts
        assert len(set(failures)) == 1 and len(failures) == 4


async def test_a_side_consumer_group_has_its_own_lag_and_dead_letter_gauges(platform):
    """A side group (the notifier's `notifier-webhooks`) is behind on its own: its lag and its
    dead letters are gauges of their own, next to the service's group's."""
    gate = asyncio.Event()
    poison_member = "m-side-poison"

    async def held_until_the_gate_opens(event, uow, settings) -> None:
        await gate.wait()
        if event.member_id == poison_member:
            raise RuntimeError("the side handler cannot take this one")

    side = SideConsumer("audit", {BonusCredited: [held_until_the_gate_opens]},
                        producers=("wallet",))
    spec = dataclasses.replace(TIERING, handlers={}, side_consumers=(side,))
    wallet_events = Topics(platform.topic_prefix).events("wallet")
    settings = platform.model_copy(update=SAMPLED_OFTEN)
    async with running(spec, settings, KafkaTransport(platform.kafka_bootstrap)) as tiering:
        async def side_lag() -> float | None:
            return await read_metric(tiering.app, "patronage_consumer_lag",
                                     group="tiering-audit", topic=wallet_events)

        events = [credited(f"m-side-{n}") for n in range(3)] + [credited(poison_member)]
        await produce_raw(platform.kafka_bootstrap, wallet_events,
                          [(e.member_id, e.to_json(), to_kafka_headers(e)) for e in events])
        assert await eventually(side_lag, lambda value: value == 4) == 4
        gate.set()
        assert await eventually(side_lag, lambda value: value == 0, timeout=30) == 0
        dead = await eventually(
            lambda: read_metric(tiering.app, "patronage_dlq_messages", group="tiering-audit"),
            lambda value: value == 1)
        assert dead == 1
        [listed] = await list_dead_letters(settings, "tiering-audit")
        assert listed.member_key == poison_member
