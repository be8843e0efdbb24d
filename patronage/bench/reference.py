"""The reference every recharge figure is divided by: pgbench's built-in TPC-B against the
same PostgreSQL server, with the same number of clients, in the same run."""

from __future__ import annotations

import re
import subprocess

from patronage.local.postgres import LocalPostgres

TPS = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")


def pgbench_tpc_b(postgres: LocalPostgres, clients: int, seconds: int, scale: int = 10) -> dict:
    database = "pgbench_reference"
    url = postgres.create_database(database)
    pgbench = str(postgres.bin_dir / "pgbench")
    subprocess.run([pgbench, "-i", "-q", "-s", str(scale), url], check=True, capture_output=True)
    result = subprocess.run(
        [pgbench, "-c", str(clients), "-j", "2", "-T", str(seconds), "-M", "prepared", url],
        check=True, capture_output=True, text=True,
    )
    found = TPS.search(result.stdout)
    if found is None:
        raise RuntimeError(f"could not read pgbench's tps from:\n{result.stdout}")
    return {"tps": float(found.group(1)), "clients": clients, "seconds": seconds, "scale": scale}
