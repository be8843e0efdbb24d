"""Scenario 3: consumer throughput. Preload `PurchaseCompleted` events on Kafka, then time
each service that handles them draining the topic (inbox dedup and real effects, one
transaction per batch) against a bare aiokafka consumer reading the same topic."""

from __future__ import annotations

import asyncio
import gc
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from patronage.bench.cpu import CpuMeter, kafka_pids, postgres_pids
from patronage.bench.memory import note_peak, reset_own_peak
from patronage.bench.profiles import MeasuredWindow, Profiler
from patronage.bench.stack import Stack
from patronage.eventloop import freeze_startup_objects
from shared.events.cloudevents import to_kafka_headers
from shared.events.wallet import PurchaseCompleted
from shared.messaging.kafka_transport import ensure_topics
from shared.runtime import ServiceRuntime
from shared.service import ServiceSpec
from shared.settings import PlatformSettings
from shared.topics import Topics
from shared.transport import KafkaTransport

PURCHASE_TOTAL = 8_800


def purchase(n: int, members: int, run: str = "") -> PurchaseCompleted:
    """The n-th purchase of a run (`run` keeps each run's purchase ids apart)."""
    return PurchaseCompleted(
        occurred_at=datetime.now(UTC), member_id=f"bench-{n % members}",
        purchase_id=f"bench-{run}-p{n}" if run else f"bench-p{n}", order_reference=f"o{n}",
        total=PURCHASE_TOTAL, currency="CNY", paid_principal=0, paid_bonus=0,
        paid_other=PURCHASE_TOTAL,
        items=[{"sku": "coffee", "category": "drinks", "quantity": 2, "amount": PURCHASE_TOTAL}],
        store_id="bench_store", terminal_id="pos_1", channel="pos",
    )


async def preload_purchases(bootstrap: str, topic: str, count: int, members: int,
                            run: str = "") -> None:
    await ensure_topics(bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks="all",
                                max_batch_size=256 * 1024)
    await producer.start()
    try:
        pending = []
        for n in range(count):
            event = purchase(n, members, run)
            pending.append(await producer.send(topic, event.to_json(), key=event.member_id.encode(),
                                               headers=list(to_kafka_headers(event))))
            if len(pending) >= 5_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def _meter(stack: Stack) -> CpuMeter:
    """This process (where the consumer runs), the database and the broker."""
    return CpuMeter({"consumer": time.process_time, "postgres": postgres_pids(stack.postgres),
                     "kafka": kafka_pids})


async def bare_read_rate(stack: Stack, topic: str, count: int) -> tuple[float, dict]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=stack.kafka_bootstrap,
                                auto_offset_reset="earliest",
                                group_id=f"bare-{uuid.uuid4().hex[:6]}", enable_auto_commit=False)
    await consumer.start()
    try:
        read, started = 0, time.perf_counter()
        with _meter(stack) as meter:
            while read < count:
                for records in (await consumer.getmany(timeout_ms=500, max_records=500)).values():
                    read += len(records)
        return read / (time.perf_counter() - started), meter.figures(read)
    finally:
        await consumer.stop()


async def drain_rate(stack: Stack, spec: ServiceSpec, prefix: str, count: int,
                     max_seconds: float = 1_800, profile_dir: Path | None = None
                     ) -> tuple[float, dict] | None:
    """Events/s for `spec` to apply `count` purchases, or as many as it gets through in
    `max_seconds` of timed draining, and the CPU it took (with `profile_dir`, a py-spy
    profile of this process over the drain too); None if it does not handle them."""
    platform = PlatformSettings(environment="test", database_url=stack.database_url,
                                kafka_bootstrap=stack.kafka_bootstrap, topic_prefix=prefix)
    runtime = ServiceRuntime(spec, platform, KafkaTransport(stack.kafka_bootstrap))
    if PurchaseCompleted not in spec.handlers:
        return None
    reset_own_peak()  # the services drain in this process: its peak, per service
    profiler: Profiler | None = None
    await runtime.start(migrate=False)
    freeze_startup_objects()  # as `patronage serve` does once started (undone after)
    try:
        assert runtime.consumer is not None
        stats = runtime.consumer.stats

        def done() -> int:
            return stats.applied + stats.duplicates + stats.dead_lettered

        # The clock starts at the first applied batch, so joining the group is not counted.
        deadline = time.monotonic() + 600  # to see the first batch applied
        started: float | None = None
        already = 0
        meter = _meter(stack)
        # this process only: its children are the local broker and database, not Python
        profiler = Profiler(profile_dir / f"consumers-{spec.name}", {spec.name: os.getpid()},
                            subprocesses=False) if profile_dir else None
        window = MeasuredWindow(meter, profiler)
        while (finished := done()) < count:
            if started is None and finished:
                started, already = time.perf_counter(), finished
                window.start()
                deadline = time.monotonic() + max_seconds
            if time.monotonic() > deadline:
                if started is None:
                    raise TimeoutError(f"{spec.name} applied nothing in 10 min")
                break
            await asyncio.sleep(0.01)
        if started is None or finished == already:
            raise RuntimeError("too few events to time: raise the event count")
        rate = (finished - already) / (time.perf_counter() - started)
        window.stop()
        figures = meter.figures(finished - already)
        if profiler is not None:
            figures["profile"] = profiler.summary()
        return rate, figures
    finally:
        if profiler is not None:
            profiler.stop()  # a second stop does nothing; a failed drain leaves no py-spy behind
        note_peak(spec.name, os.getpid())
        await runtime.stop()
        gc.unfreeze()


async def consumer_throughput(stack: Stack, specs: list[ServiceSpec], count: int,
                              max_seconds: float = 1_800, profile_dir: Path | None = None) -> dict:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    topic = Topics(prefix).events("wallet")
    await preload_purchases(stack.kafka_bootstrap, topic, count, members=10_000)
    reference, reference_cpu = await bare_read_rate(stack, topic, count)
    runs = []
    for spec in specs:
        drained = await drain_rate(stack, spec, prefix, count, max_seconds, profile_dir)
        if drained is None:
            continue
        rate, cpu = drained
        runs.append({"service": spec.name, "events_per_second": round(rate, 1),
                     "ratio_vs_bare": round(rate / reference, 3), "cpu": cpu,
                     # what the cores allow at these CPU costs, against the bare consumer's
                     "cpu_bound_ratio_vs_bare": _bound_ratio(cpu, reference_cpu)})
    return {"name": "consumer_throughput", "events": count, "max_drain_seconds": max_seconds,
            "reference": {"bare_aiokafka_per_second": round(reference, 1),
                          "cpu": reference_cpu}, "runs": runs}


def _bound_ratio(cpu: dict, reference_cpu: dict) -> float | None:
    ours, bare = cpu["cpu_bound_per_second"], reference_cpu["cpu_bound_per_second"]
    return round(ours / bare, 3) if ours and bare else None
