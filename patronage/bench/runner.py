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


def _scenarios(stack, work: Path, quick: bool, profile_dir: Path | None) -> dict:
    """Each scenario by name, as a function starting its run; the order is the run's order
    (memory last: it reads every peak the others left)."""
    seconds = 5 if quick else 20
    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]

    async def simulate() -> dict:
        return simulation_speed(members=10_000 if quick else 100_000)

    return {
        "recharge": lambda: recharge_throughput(stack, wallets_sizes=sizes, connections=32,
                                                seconds=seconds, profile_dir=profile_dir),
        "bonus_loop": lambda: bonus_loop_latency(stack, rates=[50, 200], seconds=seconds,
                                                 profile_dir=profile_dir),
        # 200k preloaded; each service is timed for at most 2 minutes of draining
        # (at a few hundred events/s a full drain would not fit in the 20 minutes)
        "consumers": lambda: consumer_throughput(stack, list(SERVICES.values()),
                                                 count=20_000 if quick else 200_000,
                                                 max_seconds=20 if quick else 120,
                                                 profile_dir=profile_dir),
        "expiry_scan": lambda: expiry_scan(stack, sizes=[10_000, 100_000] if quick
                                           else [100_000, 1_000_000]),
        "contention": lambda: purchase_contention(stack, concurrency=50, seconds=seconds),
        "import": lambda: import_throughput(stack.database_url, work,
                                            rows=10_000 if quick else 100_000),
        "simulate": simulate,
        "scale_out": lambda: scale_out(stack, count=6_000 if quick else 60_000),
        "memory": lambda: memory_figures(stack.database_url),
    }


SCENARIOS = ("recharge", "bonus_loop", "consumers", "expiry_scan", "contention", "import",
             "simulate", "scale_out", "memory")


async def _run(quick: bool, only: list[str] | None, profile_dir: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="patronage-bench-") as work:
        with local_stack(Path(work)) as stack:
            for spec in SERVICES.values():
                await asyncio.to_thread(upgrade_to_head, spec.migrations, stack.database_url,
                                        spec.name)
            runs = _scenarios(stack, Path(work), quick, profile_dir)
            scenarios = [await runs[name]() for name in SCENARIOS if not only or name in only]
    return {"started_at": datetime.now(UTC).isoformat(), "quick": quick, "only": only,
            "machine": _machine(), "scenarios": scenarios}


def run_benchmarks(quick: bool = False, write: bool = True,
                   only: list[str] | None = None, profile: bool = False) -> dict:
    """Run every scenario, or `only` those named (a partial run: its results file says which,
    and the table in docs/benchmarks.md, which shows one full run, is left alone). `profile`:
    py-spy profiles (profiles.py) of the wallet in the recharge's largest size, of the bonus
    loop's services and of each consumer drain, raw stacks under
    bench/results/profiles/<start>/ (not committed), top frames in the results file."""
    unknown = sorted(set(only or ()) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; "
                         f"known: {', '.join(SCENARIOS)}")
    started = datetime.now(UTC)
    profile_dir = RESULTS / "profiles" / f"{started:%Y-%m-%dT%H%M%S}" if profile else None
    results = asyncio.run(_run(quick, only, profile_dir))
    results["started_at"] = started.isoformat()
    if write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        suffix = ("-quick" if quick else "") + (f"-only-{'-'.join(only)}" if only else "")
        path = RESULTS / f"{started:%Y-%m-%dT%H%M%S}{suffix}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        if not only:
            write_table(results, ROOT / "docs" / "benchmarks.md", path.relative_to(ROOT))
    return results
