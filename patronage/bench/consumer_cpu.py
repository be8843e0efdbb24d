"""CPU time per event of a consumer drain: the figure a busy machine distorts least.

Wall-clock rates on a shared 2-core machine swing with the neighbours' load; the CPU the
consumer's own process spends per event (`time.process_time`, which Kafka and PostgreSQL,
separate processes, do not add to) moves far less. This preloads `PurchaseCompleted`
events, then drains them with each service's real consumer (inbox, effects, outbox) in
this process, and with a bare aiokafka consumer for reference, reporting CPU µs per event;
`--profile DIR` also writes a cProfile of each drain (read with `python -m pstats`).

    python -m patronage.bench.consumer_cpu --events 30000               # own stack
    python -m patronage.bench.consumer_cpu --database-url … --bootstrap …  # a running one

Against a running stack, A and B commits can be alternated on the same servers (the
paired-run method of docs/benchmarks.md); each run uses its own topic prefix."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from patronage.bench.consumers import preload_purchases
from patronage.bench.stack import Stack, local_stack
from shared.events.wallet import PurchaseCompleted
from shared.runtime import ServiceRuntime
from shared.service import ServiceSpec
from shared.settings import PlatformSettings
from shared.topics import Topics
from shared.transport import KafkaTransport


async def bare_cpu(bootstrap: str, topic: str, count: int) -> dict:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"bare-{uuid.uuid4().hex[:6]}", enable_auto_commit=False)
    await consumer.start()
    try:
        read, cpu, wall = 0, time.process_time(), time.perf_counter()
        while read < count:
            for records in (await consumer.getmany(timeout_ms=500, max_records=2000)).values():
                read += len(records)
        return _figures(read, time.process_time() - cpu, time.perf_counter() - wall)
    finally:
        await consumer.stop()


async def drain_cpu(stack: Stack, spec: ServiceSpec, prefix: str, count: int,
                    profile_to: Path | None = None) -> dict:
    """CPU and wall time of `spec`'s consumer from its first applied batch to the last."""
    platform = PlatformSettings(environment="test", database_url=stack.database_url,
                                kafka_bootstrap=stack.kafka_bootstrap, topic_prefix=prefix)
    runtime = ServiceRuntime(spec, platform, KafkaTransport(stack.kafka_bootstrap))
    await runtime.start(migrate=False)
    # CPU time, not wall time: on a busy machine wall time charges the neighbours to us
    profiler = cProfile.Profile(time.process_time) if profile_to else None
    try:
        assert runtime.consumer is not None
        stats = runtime.consumer.stats
        deadline = time.monotonic() + 600
        while not stats.batches:  # joining the group and the first fetch are not counted
            if time.monotonic() > deadline:
                raise TimeoutError(f"{spec.name} applied nothing in 10 min")
            await asyncio.sleep(0.005)
        first = stats.applied + stats.duplicates + stats.dead_lettered
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        while stats.applied + stats.duplicates + stats.dead_lettered < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{spec.name} did not drain {count} events in 10 min")
            await asyncio.sleep(0.005)
        if profiler:
            profiler.disable()
        done = stats.applied + stats.duplicates + stats.dead_lettered
        figures = _figures(done - first, time.process_time() - cpu, time.perf_counter() - wall)
    finally:
        await runtime.stop()
    if profiler and profile_to:
        _dump(profiler, profile_to / f"{spec.name}-drain.pstats")
    return {"service": spec.name, **figures}


def _dump(profiler: cProfile.Profile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)


def _figures(events: int, cpu_seconds: float, wall_seconds: float) -> dict:
    return {"events": events, "cpu_us_per_event": round(cpu_seconds / events * 1e6, 1),
            "events_per_second": round(events / wall_seconds, 1)}


async def measure(stack: Stack, count: int, services: list[str],
                  profile_to: Path | None) -> dict:
    from patronage.services import SERVICES

    prefix = f"cpu{uuid.uuid4().hex[:6]}."
    topic = Topics(prefix).events("wallet")
    await preload_purchases(stack.kafka_bootstrap, topic, count, members=10_000)
    runs = [await bare_cpu(stack.kafka_bootstrap, topic, count)]
    runs[0]["service"] = "bare aiokafka"
    for name in services:
        spec = SERVICES[name]
        if PurchaseCompleted in spec.handlers:
            runs.append(await drain_cpu(stack, spec, prefix, count, profile_to))
    return {"events": count, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--services", default="tiering,rewards")
    parser.add_argument("--database-url", help="a migrated database (else a local stack)")
    parser.add_argument("--bootstrap", help="Kafka of that stack")
    parser.add_argument("--profile", type=Path, help="write a cProfile of each drain here")
    args = parser.parse_args()
    services = args.services.split(",")
    with ExitStack() as context:
        if args.database_url:
            stack = Stack(args.database_url, args.bootstrap, Path(tempfile.gettempdir()))
        else:
            from patronage.services import SERVICES
            from shared.db.migrations import upgrade_to_head

            work = Path(context.enter_context(tempfile.TemporaryDirectory()))
            stack = context.enter_context(local_stack(work))
            for name in services:
                upgrade_to_head(SERVICES[name].migrations, stack.database_url, name)
        print(json.dumps(asyncio.run(measure(stack, args.events, services, args.profile))))


if __name__ == "__main__":
    main()
