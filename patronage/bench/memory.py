"""Memory: the peak RSS of each service process during each scenario, and the database's
size per 100k wallets.

A service process's peak is its `VmHWM` (the kernel's high-water mark of resident memory,
/proc/<pid>/status) read just before the bench stops it, summed over the process and its
workers (`patronage serve --workers N`). The consumers of scenario 3 run inside the bench
process: there the mark is reset before each service's drain (`/proc/self/clear_refs`) and
read after it. Linux only; elsewhere no figure is recorded."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import asyncpg

from shared.db.engine import plain_url

PEAKS: list[dict] = []  # filled while the scenarios run, reported by `memory_figures`


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM of `pid` and of its children, in MiB; None when /proc cannot say."""
    try:
        total = _vm_hwm_kib(pid)
        for child in _children(pid):
            total += _vm_hwm_kib(child)
    except (OSError, ValueError):
        return None
    return round(total / 1024, 1)


def own_peak_rss_mib() -> float | None:
    return peak_rss_mib(os.getpid())


def reset_own_peak() -> None:
    """Start the calling process's high-water mark afresh (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def note_peak(service: str, pid: int) -> None:
    """Record a service process's peak under the scenario running it: the bench module that
    called (recharge, bonus_loop, contention, consumers), so no scenario passes it along."""
    if (peak := peak_rss_mib(pid)) is not None:
        PEAKS.append({"scenario": _calling_scenario(), "service": service,
                      "peak_rss_mib": peak})


def _calling_scenario() -> str:
    for frame in inspect.stack()[2:]:
        module = frame.frame.f_globals.get("__name__", "")
        name = module.rpartition(".")[2]
        if module.startswith("patronage.bench.") and name not in {"stack", "memory"}:
            return name
    return "unknown"


def _vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise ValueError("no VmHWM")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


async def database_size(database_url: str) -> dict:
    """The wallet schema's size (tables, indexes, TOAST) per 100k wallets, and the whole
    database's, at the end of the run (every scenario's rows included)."""
    db = await asyncpg.connect(plain_url(database_url))
    try:
        wallets = await db.fetchval("SELECT count(*) FROM wallet.wallets")
        schema_bytes = await db.fetchval(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'wallet' AND c.relkind IN ('r', 'm')")
        database_bytes = await db.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await db.close()
    per_100k = schema_bytes / wallets * 100_000 if wallets else None
    return {"wallets": wallets, "wallet_schema_mib": round(schema_bytes / 2**20, 1),
            "wallet_schema_mib_per_100k_wallets": round(per_100k / 2**20, 1) if per_100k else None,
            "database_mib": round(database_bytes / 2**20, 1)}


async def memory_figures(database_url: str) -> dict:
    return {"name": "memory", "processes": list(PEAKS),
            "database": await database_size(database_url)}
