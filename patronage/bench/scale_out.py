"""Scale-out: the tiering consumer run as 1, 2 and 3 replicas (separate processes, one
consumer group) over a 12-partition topic of `PurchaseCompleted`, with a rebalance halfway
(one replica more for a single one, one stopped for two or three). The effects are checked
against the input exactly: every purchase counted once, with its amount, none missing.

On this machine's two cores the replicas share the CPU with Kafka and PostgreSQL, so this
shows correctness and the overhead of a group, not a speed-up.

A replica is `python -m patronage.bench.scale_out <database-url> <bootstrap> <prefix>
[<joined-file>]`: it touches the file once it holds partitions of the topic, consumes until
SIGTERM, then prints what it applied, when, and its peak RSS. The events are produced once
every replica holds partitions; the clock runs from the first produced to the last counted."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from patronage.bench.consumers import PURCHASE_TOTAL, preload_purchases
from patronage.bench.memory import own_peak_rss_mib
from patronage.bench.stack import Stack
from shared.db.engine import plain_url
from shared.messaging.kafka_transport import KafkaSource, ensure_topics
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.topics import Topics
from shared.transport import KafkaTransport

PARTITIONS = 12


@dataclass(frozen=True)
class Effects:
    expected: int
    counted: int  # purchases with a spend entry
    entries: int  # spend entries (more than counted: some purchase counted twice)
    wrong_amounts: int

    @property
    def exact(self) -> bool:
        return self.counted == self.entries == self.expected and not self.wrong_amounts


async def tiering_effects(database_url: str, run: str, expected: int) -> Effects:
    """What tiering recorded for the purchases `bench-<run>-p<n>`."""
    db = await asyncpg.connect(plain_url(database_url))
    try:
        row = await db.fetchrow(
            "SELECT count(DISTINCT source_id), count(*), count(*) FILTER (WHERE amount <> $2) "
            "FROM tiering.spend_entries WHERE source_kind = 'purchase' AND source_id LIKE $1",
            f"bench-{run}-p%", PURCHASE_TOTAL)
    finally:
        await db.close()
    return Effects(expected, row[0], row[1], row[2])


async def replica(database_url: str, bootstrap: str, prefix: str,
                  joined: str | None = None) -> dict:
    from services.tiering.service import SPEC

    platform = PlatformSettings(environment="test", database_url=database_url,
                                kafka_bootstrap=bootstrap, topic_prefix=prefix)
    runtime = ServiceRuntime(SPEC, platform, KafkaTransport(bootstrap))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await runtime.start(migrate=False)
    first = last = None
    applied = 0
    try:
        assert runtime.consumer is not None
        stats = runtime.consumer.stats
        source = runtime.consumer.source
        wallet_topic = runtime.topics.events("wallet")
        while not stop.is_set():
            if joined and isinstance(source, KafkaSource) and any(
                    topic == wallet_topic for topic, _ in source.assignment()):
                _mark(joined)  # the bench produces once every replica holds partitions
                joined = None
            if stats.applied != applied:
                first, last, applied = first or time.time(), time.time(), stats.applied
            await asyncio.sleep(0.02)
    finally:
        await runtime.stop()
    return {"applied": stats.applied, "duplicates": stats.duplicates,
            "first_applied_at": first, "last_applied_at": last,
            "peak_rss_mib": own_peak_rss_mib()}


def _mark(path: str) -> None:
    Path(path).touch()


def _start_replica(stack: Stack, prefix: str, joined: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "patronage.bench.scale_out", stack.database_url,
         stack.kafka_bootstrap, prefix, str(joined)],
        env=stack.service_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _report(process: subprocess.Popen[str]) -> dict:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"applied": 0, "error": "no report"}


def _async(probe):
    async def call():
        return probe()
    return call


async def _until(probe, done, seconds: float):
    deadline = time.monotonic() + seconds
    while not done(result := await probe()):
        if time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.2)
    return result


async def run_with_replicas(stack: Stack, replicas: int, count: int) -> dict:
    run = uuid.uuid4().hex[:6]
    prefix = f"scale{run}."
    topic = Topics(prefix).events("wallet")
    await ensure_topics(stack.kafka_bootstrap, [topic], partitions=PARTITIONS)
    marks = [stack.work_dir / f"{prefix}joined-{n}" for n in range(replicas + 1)]
    processes = [_start_replica(stack, prefix, marks[n]) for n in range(replicas)]
    # every replica holds partitions before the events arrive, so each gets its share
    await _until(_async(lambda: sum(mark.exists() for mark in marks)),
                 lambda joined: joined >= replicas, 180)
    started = time.perf_counter()
    await preload_purchases(stack.kafka_bootstrap, topic, count, members=10_000, run=run)

    def effects():
        return tiering_effects(stack.database_url, run, count)

    await _until(effects, lambda e: e.counted >= count // 2, 600)
    if replicas == 1:  # the rebalance: a replica joins, or one leaves
        processes.append(_start_replica(stack, prefix, marks[-1]))
        rebalance = "a second replica started halfway"
    else:
        reports = [_report(processes[-1])]
        rebalance = f"replica {replicas} stopped halfway"
    final = await _until(effects, lambda e: e.counted >= count, 600)
    seconds = time.perf_counter() - started
    reports = [_report(p) for p in processes] if replicas == 1 else \
        [_report(p) for p in processes[:-1]] + reports
    return {"replicas": replicas, "rebalance": rebalance, "events": count,
            "seconds": round(seconds, 2), "events_per_second": round(count / seconds, 1),
            "exact": final.exact, "counted": final.counted, "entries": final.entries,
            "wrong_amounts": final.wrong_amounts,
            "per_replica": [_rate(report) for report in reports]}


def _rate(report: dict) -> dict:
    first, last = report.get("first_applied_at"), report.get("last_applied_at")
    # a replica busy for under a second has no meaningful rate of its own
    busy = (last - first) if first and last and last - first >= 1 else None
    return {"applied": report["applied"], "duplicates": report.get("duplicates", 0),
            "events_per_second": round(report["applied"] / busy, 1) if busy else None,
            "peak_rss_mib": report.get("peak_rss_mib")}


async def scale_out(stack: Stack, count: int, replicas: tuple[int, ...] = (1, 2, 3)) -> dict:
    return {"name": "scale_out", "service": "tiering", "partitions": PARTITIONS,
            "runs": [await run_with_replicas(stack, n, count) for n in replicas]}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(replica(*sys.argv[1:5]))), flush=True)
