"""Paired runs of the recharge's write with the wallet's group commit off and on, alternated
in the same minutes (docs/benchmarks.md, "paired runs"): on a shared machine the absolute
figures swing with the load, so each pair is judged by its own ratio.

    uv run python -m patronage.bench.group_commit_pairs --pairs 4 --seconds 10

Each pair: pgbench TPC-B (the database's reference, 32 clients), then 32 concurrent
recharge loops in one Python process calling `record_recharge` on a statement pool of 16
(the wallet's), 10k registered wallets, with group commit off and on in alternating order.
No HTTP: this measures what group commit changes, the write, against the database's own
ceiling; the CPU seconds of this process per recharge are reported too (less distorted by
the machine's load than the rates). A durable local PostgreSQL (fsync on), no Kafka.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from patronage.bench.recharge import seed_wallets
from patronage.bench.reference import pgbench_tpc_b
from patronage.local.postgres import LocalPostgres
from services.wallet.api.schemas.recharges import RechargeRequest
from services.wallet.service import SPEC as WALLET
from services.wallet.settings import WalletSettings
from services.wallet.store.recharge_groups import RechargeGroups
from services.wallet.store.recharges import record_recharge
from shared.clock import SystemClock
from shared.db.engine import plain_url, with_database
from shared.db.migrations import upgrade_to_head
from shared.db.statement_pool import StatementPool
from shared.topics import Topics

DEFAULTS = WalletSettings(max_balance=100_000_000)


async def recharge_loops(database_url: str, wallets: int, concurrency: int, seconds: float, *,
                         group_commit: bool, settings: WalletSettings = DEFAULTS) -> dict:
    statements = StatementPool(database_url, "wallet", size=16)
    await statements.open()
    groups = RechargeGroups(statements, window=settings.group_commit_window_ms / 1000,
                            max_size=settings.group_commit_max_size) if group_commit else None
    latencies: list[float] = []
    limits, clock, topics = DEFAULTS.limits(), SystemClock(), Topics("")

    async def loop(until: float) -> None:
        while time.monotonic() < until:
            reference = uuid.uuid4().hex
            request = RechargeRequest(
                member_id=f"bench-{random.randint(1, wallets)}", amount=10_000, currency="CNY",
                payment_method="wechat_pay", payment_reference=reference,
                store_id="bench_store", terminal_id="pos_1", pos_reference=reference)
            started = time.monotonic()
            outcome = await record_recharge(
                statements, scope="bench", key=reference, fingerprint=b"bench",
                request=request, limits=limits, clock=clock, topics=topics,
                reference_key="bench-reference-key", risk=DEFAULTS.risk, writer=groups)
            assert outcome.outcome == "created", outcome
            latencies.append(time.monotonic() - started)

    try:
        await asyncio.gather(*(loop(time.monotonic() + 1) for _ in range(concurrency)))  # warm
        latencies.clear()
        cpu, wall = time.process_time(), time.monotonic()
        await asyncio.gather(*(loop(wall + seconds) for _ in range(concurrency)))
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    finally:
        await statements.close()
    latencies.sort()
    return {"recharges_per_second": round(len(latencies) / wall, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
            "cpu_us_per_recharge": round(cpu / len(latencies) * 1e6, 1),
            "groups": groups.groups_written if groups else None,
            "recharges_in_groups": groups.recharges_written if groups else None}


async def paired_runs(pairs: int, seconds: int, wallets: int, concurrency: int,
                      settings: WalletSettings = DEFAULTS) -> list[dict]:
    results = []
    work = Path(tempfile.mkdtemp(prefix="patronage-pairs-"))
    with LocalPostgres(work / "postgres", durable=True) as postgres:
        database_url = with_database(postgres.dsn, "patronage")
        postgres.create_database("patronage")
        await asyncio.to_thread(upgrade_to_head, WALLET.migrations, database_url, "wallet")
        await seed_wallets(plain_url(database_url), wallets)
        for pair in range(1, pairs + 1):
            reference = await asyncio.to_thread(pgbench_tpc_b, postgres, concurrency, seconds)
            figures = {}
            for on in ((False, True) if pair % 2 else (True, False)):
                figures["on" if on else "off"] = await recharge_loops(
                    database_url, wallets, concurrency, seconds, group_commit=on,
                    settings=settings)
            row = {"pair": pair, "pgbench_tps": reference["tps"], **figures,
                   "window_ms": settings.group_commit_window_ms,
                   "max_size": settings.group_commit_max_size,
                   "on_over_off": round(figures["on"]["recharges_per_second"]
                                        / figures["off"]["recharges_per_second"], 3),
                   "off_vs_pgbench": round(figures["off"]["recharges_per_second"]
                                           / reference["tps"], 3),
                   "on_vs_pgbench": round(figures["on"]["recharges_per_second"]
                                          / reference["tps"], 3)}
            print(json.dumps(row), flush=True)
            results.append(row)
    print(json.dumps({"median_on_over_off": statistics.median(r["on_over_off"] for r in results)}))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--wallets", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--window-ms", type=float, default=DEFAULTS.group_commit_window_ms)
    parser.add_argument("--max-size", type=int, default=DEFAULTS.group_commit_max_size)
    options = parser.parse_args()
    settings = DEFAULTS.model_copy(update={"group_commit_window_ms": options.window_ms,
                                           "group_commit_max_size": options.max_size})
    asyncio.run(paired_runs(options.pairs, options.seconds, options.wallets, options.concurrency,
                            settings))


if __name__ == "__main__":
    main()
