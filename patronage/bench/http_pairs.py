"""Scenario 1 over HTTP in paired runs: the HTTP ceiling (http_ceiling.py), the recharge
with group commit off and the recharge with it on, one after the other in the same minutes,
the order rotating from round to round; pgbench TPC-B at the start of each round.

    uv run python -m patronage.bench.http_pairs --rounds 3 --seconds 10 --workers 1

Prints one JSON line per round: each figure, and the recharge as a ratio of both ceilings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from pathlib import Path

from patronage.bench.http_ceiling import CEILING_PATH, ceiling_process
from patronage.bench.recharge import run_wrk, seed_wallets
from patronage.bench.reference import pgbench_tpc_b
from patronage.bench.stack import Stack, local_stack, service_process
from patronage.local import free_port
from patronage.services import SERVICES
from shared.db.migrations import upgrade_to_head

KINDS = ("ceiling", "off", "on")


def measure(stack: Stack, kind: str, workers: int, wallets: int, connections: int,
            seconds: int) -> dict:
    if kind == "ceiling":
        with ceiling_process(stack, free_port(), workers) as base:
            run_wrk(base, wallets, connections, 2, CEILING_PATH)
            return run_wrk(base, wallets, connections, seconds, CEILING_PATH)
    with service_process(stack, "wallet", free_port(), workers=workers,
                         PATRONAGE_WALLET_MAX_BALANCE="100000000",
                         PATRONAGE_WALLET_GROUP_COMMIT_ENABLED=str(kind == "on").lower()) as base:
        run_wrk(base, wallets, connections, 2)
        return run_wrk(base, wallets, connections, seconds)


async def rounds(count: int, seconds: int, workers: int, wallets: int, connections: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="patronage-http-pairs-"))  # kept: the services' logs
    with local_stack(work) as stack:
        assert stack.postgres is not None
        for spec in SERVICES.values():
            await asyncio.to_thread(upgrade_to_head, spec.migrations, stack.database_url,
                                    spec.name)
        await seed_wallets(stack.database_url, wallets)
        for n in range(count):
            tps = pgbench_tpc_b(stack.postgres, connections, seconds)["tps"]
            order = KINDS[n % 3:] + KINDS[:n % 3]
            figures = {kind: measure(stack, kind, workers, wallets, connections, seconds)
                       for kind in order}
            rate = {kind: figures[kind]["requests_per_second"] for kind in KINDS}
            print(json.dumps({
                "round": n + 1, "order": order, "workers": workers, "pgbench_tps": tps,
                **{f"{kind}_{m}": figures[kind][m] for kind in KINDS
                   for m in ("requests_per_second", "p50_ms", "p99_ms", "errors")},
                "on_over_off": round(rate["on"] / rate["off"], 3),
                "on_vs_pgbench": round(rate["on"] / tps, 3),
                "off_vs_pgbench": round(rate["off"] / tps, 3),
                "on_vs_ceiling": round(rate["on"] / rate["ceiling"], 3),
                "off_vs_ceiling": round(rate["off"] / rate["ceiling"], 3)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--wallets", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    asyncio.run(rounds(options.rounds, options.seconds, options.workers, options.wallets,
                       options.connections))


if __name__ == "__main__":
    main()
