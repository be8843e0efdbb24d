"""The reference every recharge figure is divided by: pgbench's built-in TPC-B against the
same PostgreSQL server, with the same number of clients, in the same run."""

from __future__ import annotations

import re
import subprocess

from patronage.bench.cpu import CpuMeter, own_children_seconds, postgres_pids
from patronage.local.postgres import LocalPostgres

TPS = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")


def pgbench_tpc_b(postgres: LocalPostgres, clients: int, seconds: int, scale: int = 10) -> dict:
    database = "pgbench_reference"
    url = postgres.create_database(database)
    pgbench = str(postgres.bin_dir / "pgbench")
    subprocess.run([pgbench, "-i", "-q", "-s", str(scale), url], check=True, capture_output=True)
    # the server's CPU and pgbench's own (a child waited for) per transaction: the figure
    # the recharge's CPU per request is set beside
    with CpuMeter({"postgres": postgres_pids(postgres), "pgbench": own_children_seconds}) as meter:
        result = subprocess.run(
            [pgbench, "-c", str(clients), "-j", "2", "-T", str(seconds), "-M", "prepared", url],
            check=True, capture_output=True, text=True,
        )
    found = TPS.search(result.stdout)
    if found is None:
        raise RuntimeError(f"could not read pgbench's tps from:\n{result.stdout}")
    tps = float(found.group(1))
    return {"tps": tps, "clients": clients, "seconds": seconds, "scale": scale,
            "cpu": meter.figures(round(tps * seconds))}
