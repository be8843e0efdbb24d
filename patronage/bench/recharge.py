"""Scenario 1: recharge throughput over HTTP at saturation, against pgbench TPC-B.

wrk (a separate process) posts recharges with unique Idempotency-Keys to `patronage serve
wallet --workers 2` (two worker processes on one port), for random members among `wallets`
pre-created wallets; the relay publishes every `RechargeCompleted` to Kafka meanwhile, as in
production. Two references in the same run: pgbench TPC-B (the database's ceiling) and the
same service stack answering the same request without the database (http_ceiling.py, the
HTTP stack's ceiling).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from patronage.bench.cpu import (
    CpuMeter,
    kafka_pids,
    own_children_seconds,
    postgres_pids,
    process_tree,
    processes_named,
)
from patronage.bench.http_ceiling import CEILING_PATH, ceiling_process
from patronage.bench.profiles import Profiler
from patronage.bench.reference import pgbench_tpc_b
from patronage.bench.stack import Stack, service_process
from patronage.local import free_port
from shared.http.auth import Principal, issue_token
from shared.settings import DEV_JWT_SECRET

LUA = Path(__file__).parents[2] / "bench" / "wrk" / "recharge.lua"
# One worker process per core: measured against one worker on this 2-core machine, two
# served ~1.4x the recharges (docs/benchmarks.md). wrk keeps one thread: two made no difference.
WALLET_WORKERS = 2
RESULT = re.compile(r"RESULT (.*)")


async def seed_wallets(database_url: str, count: int) -> None:
    """Wallets bench-1 .. bench-<count>, of registered members (the registered caps apply).
    The ones a smaller size's run created (and recharged) are kept as they are: deleting
    them would leave their ledger lines and lots behind, and `wallet verify` would rightly
    complain."""
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "INSERT INTO wallet.wallets (member_id, currency) "
            "SELECT 'bench-' || n, 'CNY' FROM generate_series(1, $1) AS n "
            "ON CONFLICT DO NOTHING", count)
        await connection.execute(
            "INSERT INTO wallet.registered_members (member_id, enrolled_at) "
            "SELECT 'bench-' || n, now() FROM generate_series(1, $1) AS n "
            "ON CONFLICT DO NOTHING", count)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def run_wrk(base_url: str, wallets: int, connections: int, seconds: int,
            target: str = "/v1/recharges", meter: CpuMeter | None = None,
            profiler: Profiler | None = None) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package `wrk`)")
    pos_key = issue_token(DEV_JWT_SECRET, Principal("pos", "pos_1", store_id="bench_store"),
                          datetime.now(UTC), timedelta(hours=2))
    if meter is not None:
        meter.start()
    if profiler is not None:
        profiler.start()
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA), "--timeout", "10s",
         f"{base_url}{target}"],
        capture_output=True, text=True, check=True,
        env={"POS_KEY": pos_key, "WALLETS": str(wallets), "RUN": f"r{time.time_ns()}",
             "TARGET": target,
             "PATH": "/usr/bin:/bin"},
    )
    if meter is not None:
        meter.stop()
    if profiler is not None:
        profiler.stop()
    found = RESULT.search(result.stdout)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    fields = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    seconds_run = fields["duration_us"] / 1e6
    cpu = {"cpu": meter.figures(fields["requests"])} if meter is not None else {}
    if profiler is not None:
        cpu["profile"] = profiler.summary()
    return {**cpu,
        "requests_per_second": round(fields["requests"] / seconds_run, 1),
        "p50_ms": fields["p50_us"] / 1000, "p99_ms": fields["p99_us"] / 1000,
        "max_ms": fields["max_us"] / 1000, "requests": fields["requests"],
        "errors": fields["non2xx"] + fields["connect"] + fields["read"] + fields["write"]
        + fields["timeout"],
    }


async def recharge_throughput(stack: Stack, *, wallets_sizes: list[int], connections: int,
                              seconds: int, profile_dir: Path | None = None) -> dict:
    """`profile_dir`: also a py-spy profile of the wallet (supervisor and workers) over the
    largest size's measured run (profiles.py)."""
    assert stack.postgres is not None, "the pgbench reference needs the local PostgreSQL"
    reference = pgbench_tpc_b(stack.postgres, connections, seconds)
    runs = []
    with service_process(stack, "wallet", free_port(), workers=WALLET_WORKERS,
                         PATRONAGE_WALLET_MAX_BALANCE="100000000") as base:
        for wallets in wallets_sizes:
            await seed_wallets(stack.database_url, wallets)
            run_wrk(base, wallets, connections, max(2, seconds // 5))  # warm-up
            profiler = Profiler(profile_dir / f"recharge-{wallets}", {"wallet": base.pid}) \
                if profile_dir and wallets == wallets_sizes[-1] else None
            figures = run_wrk(base, wallets, connections, seconds, meter=CpuMeter({
                "wallet": lambda: process_tree(base.pid), "postgres": postgres_pids(stack.postgres),
                "kafka": kafka_pids, "wrk": own_children_seconds}), profiler=profiler)
            figures["wallets"] = wallets
            figures["ratio_vs_pgbench"] = round(figures["requests_per_second"] / reference["tps"], 3)
            runs.append(figures)
    ceiling = http_ceiling(stack, wallets_sizes[-1], connections, seconds)
    for figures in runs:
        figures["ratio_vs_http_ceiling"] = round(
            figures["requests_per_second"] / ceiling["requests_per_second"], 3)
    return {"name": "recharge_throughput",
            "reference": {"pgbench_tpc_b": reference, "http_ceiling": ceiling}, "runs": runs}


def http_ceiling(stack: Stack, wallets: int, connections: int, seconds: int) -> dict:
    """The same stack, request and response without the database (http_ceiling.py), driven
    the same way, with as many workers."""
    with ceiling_process(stack, free_port(), WALLET_WORKERS) as base:
        run_wrk(base, wallets, connections, max(2, seconds // 5), CEILING_PATH)  # warm-up
        return run_wrk(base, wallets, connections, seconds, CEILING_PATH, meter=CpuMeter({
            "wallet": lambda: processes_named("patronage.bench.http_ceiling"),
            "wrk": own_children_seconds}))
