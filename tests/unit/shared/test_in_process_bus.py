"""The in-process bus keeps Kafka's contract: per-key order, independent groups,
redelivery after a rewind."""

from shared.messaging.in_process_bus import BusPublisher, BusSource, InProcessBus
from shared.messaging.records import OutgoingMessage


def message(position: int, key: str, body: str) -> OutgoingMessage:
    return OutgoingMessage(position, "wallet.events", key, (("ce_type", b"x"),), body.encode())


async def publish(bus: InProcessBus, *messages: OutgoingMessage) -> None:
    await BusPublisher(bus).publish(list(messages))


async def test_one_keys_messages_arrive_in_order():
    bus = InProcessBus(partitions=4)
    await publish(bus, *(message(i, f"m{i % 3}", f"{i % 3}:{i}") for i in range(30)))
    source = BusSource(bus, "rewards", ["wallet.events"])
    await source.start()
    received = await source.fetch(timeout=0.1, max_records=100)
    assert len(received) == 30
    for key in ("m0", "m1", "m2"):
        sequence = [int(m.value.split(b":")[1]) for m in received if m.key == key.encode()]
        assert sequence == sorted(sequence) and len(sequence) == 10


async def test_groups_have_independent_offsets():
    bus = InProcessBus()
    await publish(bus, message(1, "m1", "a"))
    first, second = BusSource(bus, "rewards", ["wallet.events"]), BusSource(bus, "tiering", ["wallet.events"])
    await first.start()
    await second.start()
    got = await first.fetch(0.1, 10)
    await first.commit({got[0].partition_key: got[0].offset + 1})
    assert [m.value for m in await second.fetch(0.1, 10)] == [b"a"]


async def test_uncommitted_messages_are_redelivered_after_rewind():
    bus = InProcessBus()
    await publish(bus, message(1, "m1", "a"), message(2, "m1", "b"))
    source = BusSource(bus, "rewards", ["wallet.events"])
    await source.start()
    batch = await source.fetch(0.1, 10)
    await source.commit({batch[0].partition_key: batch[0].offset + 1})
    await source.rewind()
    assert [m.value for m in await source.fetch(0.1, 10)] == [b"b"]


async def test_fetch_waits_for_a_publish():
    bus = InProcessBus()
    source = BusSource(bus, "rewards", ["wallet.events"])
    await source.start()
    assert await source.fetch(0.05, 10) == []
