"""Scenario 2: bonus loop latency. Wallet and rewards each run as `patronage serve`; a load
generator process posts recharges open loop at a steady rate and, in the same process (one
clock), consumes `wallet.events`: the latency of a recharge is from the moment it was due to
be sent to the arrival of its `BonusCredited` (loadgen.py: no coordinated omission).

The loop is four Kafka hops and three transactions: wallet's relay publishes
`RechargeCompleted`, rewards screens it and decides (outbox), rewards' relay publishes
`BonusGranted`, wallet credits the bonus (outbox), wallet's relay publishes `BonusCredited`.
The reference is one bare produce→consume round trip through the same broker at the same
rate (acks=all, no batching delay), measured in the same run: the ratio is how many bare
Kafka round trips the loop costs.

Each run also reads the CPU every process spent over the measured window (cpu.py): per
loop, by process, and the cores the target rate would need at that cost, which is what
bounds the rate on this machine whatever the waits.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from patronage.bench.bonus_hops import loop_hops
from patronage.bench.cpu import CpuMeter, kafka_pids, postgres_pids, process_tree
from patronage.bench.loadgen import loop_member, run_loadgen
from patronage.bench.members import register_members
from patronage.bench.profiles import MeasuredWindow, Profiler
from patronage.bench.stack import Stack, service_process
from patronage.local import free_port
from shared.http.auth import Principal, issue_token
from shared.messaging.kafka_transport import ensure_topics
from shared.settings import DEV_JWT_SECRET
from shared.topics import Topics

# At the target rate before the measured run: the broker's JIT compiler alone took ~40 % of
# its CPU in the first seconds after a start (JFR), and every pool and cache warms.
WARMUP_SECONDS = 5.0


def pos_key() -> str:
    return issue_token(DEV_JWT_SECRET, Principal("pos", "pos_1", store_id="bench_store"),
                       datetime.now(UTC), timedelta(hours=2))


def _round_trips(stack: Stack, topic: str, rate: float, seconds: float,
                 warmup_seconds: float) -> dict:
    meter = CpuMeter({"kafka": kafka_pids})
    figures = run_loadgen("kafka_rtt", {
        "bootstrap": stack.kafka_bootstrap, "topic": topic, "rate": rate, "seconds": seconds,
        "warmup_seconds": warmup_seconds},
        marks={"start": meter.start, "end": meter.stop})
    meter.add("load_generator", figures.pop("generator_cpu_seconds"))
    return {**figures, "cpu": meter.figures(figures["arrived"])}


async def bonus_loop_latency(stack: Stack, *, rates: list[float], seconds: float,
                             warmup_seconds: float = WARMUP_SECONDS,
                             profile_dir: Path | None = None) -> dict:
    """`profile_dir`: also record py-spy profiles of wallet and rewards over each measured
    window (profiles.py), raw stacks there and the top frames in the results."""
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    topics = Topics(prefix)
    wallet_events, rtt_topic = topics.events("wallet"), f"{prefix}rtt"
    await ensure_topics(stack.kafka_bootstrap, [wallet_events, rtt_topic])
    references = {rate: _round_trips(stack, rtt_topic, rate, seconds, warmup_seconds)
                  for rate in rates}
    env = {"PATRONAGE_TOPIC_PREFIX": prefix}
    runs = []
    with service_process(stack, "wallet", free_port(), **env) as wallet, \
            service_process(stack, "rewards", free_port(), **env) as rewards:
        for rate in rates:
            # every loop's member is registered (an unregistered card earns no bonus): the
            # warm-up's 1 + rate x warmup_seconds and the measured rate x seconds
            run = uuid.uuid4().hex[:8]
            await register_members(stack.database_url, [
                *(loop_member(f"{run}w", n) for n in range(int(rate * warmup_seconds) + 2)),
                *(loop_member(f"{run}m", n) for n in range(int(rate * seconds) + 1))])
            since = datetime.now(UTC)
            meter = CpuMeter({"wallet": lambda: process_tree(wallet.pid),
                              "rewards": lambda: process_tree(rewards.pid),
                              "postgres": postgres_pids(stack.postgres), "kafka": kafka_pids})
            profiler = Profiler(profile_dir / f"bonus_loop-{rate:.0f}",
                                {"wallet": wallet.pid, "rewards": rewards.pid}) \
                if profile_dir else None
            window = MeasuredWindow(meter, profiler)

            figures = run_loadgen("bonus_loop", {
                "bootstrap": stack.kafka_bootstrap, "topic": wallet_events, "base": wallet,
                "key": pos_key(), "rate": rate, "seconds": seconds, "amount": 50_000,
                "run": run, "warmup_seconds": warmup_seconds},
                marks={"start": window.start, "end": window.stop})
            meter.add("load_generator", figures["generator_cpu_seconds"])
            cpu = meter.figures(figures["credited"])
            cpu["cores_needed_at_rate"] = round(
                rate * cpu["cpu_ms_per_operation_total"] / 1000, 2) \
                if cpu["cpu_ms_per_operation_total"] else None
            hops = await loop_hops(stack.database_url, since, datetime.now(UTC))
            reference = references[rate]
            ratio = figures["p99_ms"] / reference["p99_ms"] if reference["p99_ms"] else None
            runs.append({"rate": rate, **figures, "reference": reference,
                         "ratio_p99_vs_kafka": round(ratio, 2) if ratio else None, "hops": hops,
                         "cpu": cpu, **({"profile": profiler.summary()} if profiler else {})})
    return {"name": "bonus_loop_latency", "seconds": seconds,
            "reference": {"kafka_round_trip": "per run, same rate"}, "runs": runs}
