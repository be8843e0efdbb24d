"""Two replicas of tiering share a 12-partition topic as one consumer group, and one of
them stops halfway (a rebalance): every purchase is still counted exactly once, with its
amount. The short version of `patronage bench`'s scale-out scenario, with its check."""

from __future__ import annotations

import pytest

from patronage.bench.consumers import preload_purchases
from patronage.bench.scale_out import PARTITIONS, tiering_effects
from services.tiering.service import SPEC as TIERING
from shared.messaging.kafka_transport import KafkaSource, ensure_topics
from shared.topics import Topics
from shared.transport import KafkaTransport
from tests.support.runtime import eventually, running

pytestmark = pytest.mark.integration

HALF = 300


def wallet_partitions(runtime, topic: str) -> set[int]:
    source = runtime.consumer.source
    assert isinstance(source, KafkaSource)
    return {partition for name, partition in source.assignment() if name == topic}


async def test_replicas_sharing_a_topic_through_a_rebalance_count_each_purchase_once(
        platform, kafka):
    topic = Topics(platform.topic_prefix).events("wallet")
    await ensure_topics(kafka.bootstrap_servers, [topic], partitions=PARTITIONS)
    transport = KafkaTransport(kafka.bootstrap_servers)

    async with running(TIERING, platform, transport) as first:
        async with running(TIERING, platform, transport) as second:
            # both members of the group hold part of the 12 partitions before any event
            await eventually(lambda: (wallet_partitions(first, topic),
                                      wallet_partitions(second, topic)),
                             lambda held: all(held) and len(held[0] | held[1]) == PARTITIONS)
            await preload_purchases(kafka.bootstrap_servers, topic, HALF, members=50,
                                    run="first-half")
            await eventually(lambda: tiering_effects(platform.database_url, "first-half", HALF),
                             lambda effects: effects.counted == HALF)
            applied_by_second = second.consumer.stats.applied
        # the second replica has left: the first takes its partitions over
        await eventually(lambda: wallet_partitions(first, topic),
                         lambda held: len(held) == PARTITIONS)
        await preload_purchases(kafka.bootstrap_servers, topic, HALF, members=50,
                                run="second-half")
        await eventually(lambda: tiering_effects(platform.database_url, "second-half", HALF),
                         lambda effects: effects.counted == HALF)

    for run in ("first-half", "second-half"):
        effects = await tiering_effects(platform.database_url, run, HALF)
        assert effects.exact, effects
    assert applied_by_second > 0
    assert first.consumer.stats.applied + applied_by_second == 2 * HALF
