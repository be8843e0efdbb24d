"""Sampling profiles of the service processes over a scenario's measured window.

py-spy (a dev dependency: it attaches to a running process from outside, so the service
runs exactly as measured) records each process at 100 Hz from the window's start to its
end. The raw collapsed stacks go to `bench/results/profiles/` for flame graphs; the results
file keeps each process's top frames by inclusive share, so a figure and the profile that
explains it come from one run.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from patronage.bench.cpu import CpuMeter

# Frames of the stack that every sample shares (the CLI, the event loop's runner) say nothing.
_SKIP = re.compile(r"^process \d+:|runpy|typer/|patronage/cli\.py|patronage/__main__\.py|asyncio/runners\.py|"
                   r"patronage/eventloop\.py|^\s*$")
_PROJECT = re.compile(r"\((services|shared)/")
_LOCATION = re.compile(r" \(([^:)]*)(?::\d+)?\)$")


def py_spy() -> str | None:
    """The py-spy next to this interpreter (the project's environment), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.is_file() else shutil.which("py-spy")


class Profiler:
    """`start()` one py-spy per named process, `stop()` them (SIGINT: py-spy then writes its
    file), `summary()` the top frames of each."""

    def __init__(self, out_dir: Path, processes: dict[str, int], rate_hz: int = 100,
                 subprocesses: bool = True) -> None:
        """`subprocesses`: the processes' children too (a service's workers)."""
        self.out_dir, self._processes, self._rate = out_dir, processes, rate_hz
        self._subprocesses = subprocesses
        self._running: dict[str, subprocess.Popen] = {}
        self.files: dict[str, Path] = {}

    def start(self) -> None:
        executable = py_spy()
        if executable is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name, pid in self._processes.items():
            path = self.out_dir / f"{name}.txt"
            self._running[name] = subprocess.Popen(
                [executable, "record", "--pid", str(pid), "--rate", str(self._rate),
                 "--format", "raw", "--output", str(path), "--nonblocking",
                 *(["--subprocesses"] if self._subprocesses else [])],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.files[name] = path

    def stop(self) -> None:
        for process in self._running.values():
            process.send_signal(signal.SIGINT)
        for process in self._running.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        self._running.clear()

    def summary(self, top: int = 12) -> dict[str, dict]:
        return {name: top_frames(path, top) for name, path in self.files.items()
                if path.is_file()}


def top_frames(collapsed: Path, top: int = 12) -> dict:
    """Of the samples: the project's own frames (services/, shared/) by inclusive share (a
    frame counted once per sample), and any frame by self share (where the CPU is spent)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_LOCATION.sub(lambda m: f" ({m.group(1)})", frame.strip())
                  for frame in stack.split(";")]
        frames = [frame for frame in frames if not _SKIP.search(frame)]
        if frames:
            own[frames[-1]] += samples
        for frame in set(frames):
            if _PROJECT.search(frame):
                inclusive[frame] += samples
    if not total:
        return {"samples": 0, "project_inclusive": [], "self": []}
    return {"samples": total,
            "project_inclusive": [{"frame": f, "share": round(n / total, 3)}
                                  for f, n in inclusive.most_common(top)],
            "self": [{"frame": f, "share": round(n / total, 3)} for f, n in own.most_common(top)]}


class MeasuredWindow:
    """The CPU meter and, when asked for, the profiler, started and stopped together at the
    marks the load generator prints."""

    def __init__(self, meter: CpuMeter, profiler: Profiler | None = None) -> None:
        self._meter, self._profiler = meter, profiler

    def start(self) -> None:
        self._meter.start()
        if self._profiler:
            self._profiler.start()

    def stop(self) -> None:
        self._meter.stop()
        if self._profiler:
            self._profiler.stop()
