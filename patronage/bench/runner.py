"""`patronage bench`: start the stack, run each scenario, write the results file and the
table in docs/benchmarks.md. Figures are reported as ratios against a reference measured in
the same run on the same machine, because absolute numbers on shared machines drift."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from patronage.bench.bonus_loop import bonus_loop_latency
from patronage.bench.consumers import consumer_throughput
from patronage.bench.contention import purchase_contention
from patronage.bench.expiry_scan import expiry_scan
from patronage.bench.imports import import_throughput
from patronage.bench.memory import memory_figures
from patronage.bench.recharge import recharge_throughput
from patronage.bench.report import write_table
from patronage.bench.scale_out import scale_out
from patronage.bench.simulation import simulation_speed
from patronage.bench.stack import local_stack
from patronage.services import SERVICES
from shared.db.migrations import upgrade_to_head

ROOT = Path(__file__).parents[2]
RESULTS = ROOT / "bench" / "results"


def _machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.machine(), "commit": commit or "unknown"}


async def _run(quick: bool) -> dict:
    seconds = 5 if quick else 20
    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    with tempfile.TemporaryDirectory(prefix="patronage-bench-") as work:
        with local_stack(Path(work)) as stack:
            for spec in SERVICES.values():
                await asyncio.to_thread(upgrade_to_head, spec.migrations, stack.database_url,
                                        spec.name)
            scenarios = [
                await recharge_throughput(stack, wallets_sizes=sizes, connections=32,
                                          seconds=seconds),
                await bonus_loop_latency(stack, rates=[50, 200], seconds=seconds),
                # 200k preloaded; each service is timed for at most 2 minutes of draining
                # (at a few hundred events/s a full drain would not fit in the 20 minutes)
                await consumer_throughput(stack, list(SERVICES.values()),
                                          count=20_000 if quick else 200_000,
                                          max_seconds=20 if quick else 120),
                await expiry_scan(stack, sizes=[10_000, 100_000] if quick
                                  else [100_000, 1_000_000]),
                await purchase_contention(stack, concurrency=50, seconds=seconds),
                await import_throughput(stack.database_url, Path(work),
                                        rows=10_000 if quick else 100_000),
                simulation_speed(members=10_000 if quick else 100_000),
            ]
            scenarios.append(await scale_out(stack, count=6_000 if quick else 60_000))
            scenarios.append(await memory_figures(stack.database_url))  # last: every peak
    return {"started_at": datetime.now(UTC).isoformat(), "quick": quick, "machine": _machine(),
            "scenarios": scenarios}


def run_benchmarks(quick: bool = False, write: bool = True) -> dict:
    results = asyncio.run(_run(quick))
    if write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{datetime.now(UTC):%Y-%m-%dT%H%M%S}{'-quick' if quick else ''}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        write_table(results, ROOT / "docs" / "benchmarks.md", path.relative_to(ROOT))
    return results
