"""CPU seconds per process group over a measured window: where a scenario's CPU goes.

On a 2-core machine that runs the services, PostgreSQL, Kafka and the load generator
together, the CPU each operation costs, summed over every process it touches, bounds the
rate: `cores / CPU per operation` is the most the machine could do even with no waiting at
all. A scenario that misses its target reports this bound beside its figure, so the
results say whether the code, or the machine, is what stops it.

Linux only (`/proc`); elsewhere every group reads 0 and the figures say `None`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        # the command name may hold spaces and parentheses: split after the last ')'
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree(pid: int) -> list[int]:
    """`pid` and its live descendants."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(child) for child in children)
    return found


def processes_named(fragment: str) -> list[int]:
    """Every process whose command line holds `fragment` (arguments joined by spaces)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
        except OSError:
            continue
        if fragment in command:
            found.append(int(entry.name))
    return found


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU of the processes, and of their children already waited for: a
    backend that ends inside the window still counts (in its parent's `cutime`)."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:  # utime stime cutime cstime: fields 14-17 of stat(5)
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / _TICK


def own_children_seconds() -> float:
    """CPU of this process's children it has waited for (wrk, pgbench, the load generator
    once `subprocess.run` returns)."""
    times = os.times()
    return times.children_user + times.children_system


class CpuMeter:
    """`with CpuMeter({...}) as meter:` around a measured window (or `start()` and `stop()`,
    when another process says where the window is); `meter.seconds` then holds
    each group's CPU seconds in it. A group is a function returning its pids at the time
    (called at both ends, so processes started inside the window are found at its end), or
    the special `own_children_seconds`."""

    def __init__(self, groups: dict[str, Callable[[], list[int]] | Callable[[], float]]) -> None:
        self._groups = groups
        self._start: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.wall = 0.0

    def _read(self) -> dict[str, float]:
        readings = {}
        for name, group in self._groups.items():
            value = group()
            readings[name] = value if isinstance(value, float) else cpu_seconds(value)
        return readings

    def start(self) -> None:
        self._wall_start, self._start = time.perf_counter(), self._read()

    def __enter__(self) -> CpuMeter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        end = self._read()
        self.wall = time.perf_counter() - self._wall_start
        self.seconds = {name: round(max(0.0, end[name] - self._start[name]), 3)
                        for name in self._groups}

    def add(self, name: str, seconds: float) -> None:
        """A group measured elsewhere over the same window (the load generator's own)."""
        self.seconds[name] = round(seconds, 3)

    def figures(self, operations: int) -> dict:
        """CPU ms per operation by group and in all, how busy the machine's cores were, and
        the rate the cores would allow at that cost (the CPU bound)."""
        total = sum(self.seconds.values())
        cores = os.cpu_count() or 1
        per_op = total / operations if operations and total else None
        return {
            "cpu_seconds": self.seconds,
            "wall_seconds": round(self.wall, 2),
            "cpu_ms_per_operation": {name: round(1000 * seconds / operations, 3)
                                     for name, seconds in self.seconds.items()} if operations else {},
            "cpu_ms_per_operation_total": round(1000 * per_op, 3) if per_op else None,
            "cores_busy": round(total / self.wall, 2) if self.wall else None,
            "cores": cores,
            "cpu_bound_per_second": round(cores / per_op, 1) if per_op else None,
        }


def postgres_pids(stack_postgres: object | None) -> Callable[[], list[int]]:
    """The local PostgreSQL server and its backends (by the postmaster's pid file)."""
    def pids() -> list[int]:
        data_dir = getattr(stack_postgres, "data_dir", None)
        pid_file = Path(data_dir) / "postmaster.pid" if data_dir else None
        if pid_file is None or not pid_file.is_file():
            return processes_named("postgres: ")
        return process_tree(int(pid_file.read_text().splitlines()[0]))
    return pids


def kafka_pids() -> list[int]:
    return processes_named("kafka.Kafka")
