"""The benchmark's CPU meter (patronage/bench/cpu.py) counts what a process tree spent in
the window, children included, and turns it into per-operation figures."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from patronage.bench.cpu import CpuMeter, cpu_seconds, process_tree

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

BUSY = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def _measure(script: str) -> float:
    """CPU of a shell's tree over the window from its start until it prints `done`."""
    shell = subprocess.Popen(["/bin/sh", "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        with CpuMeter({"tree": lambda: process_tree(shell.pid)}) as meter:
            assert shell.stdout is not None and shell.stdout.readline().strip() == "done"
    finally:
        shell.kill()
        shell.wait()
    return meter.seconds["tree"]


def test_a_busy_grandchild_still_running_is_counted_in_the_tree():
    # the busy Python prints `done` itself and stays alive: found as the shell's child
    busy_then_wait = BUSY + "print('done', flush=True)\ntime.sleep(5)\n"
    assert 0.25 <= _measure(f"{sys.executable} -c \"{busy_then_wait}\"; sleep 5") <= 0.8


def test_a_child_that_ended_inside_the_window_still_counts():
    # the shell has waited for the busy child: its CPU is in the shell's cutime now
    assert 0.25 <= _measure(f"{sys.executable} -c \"{BUSY}\"; echo done; sleep 5") <= 0.8


def test_figures_per_operation_and_the_cpu_bound():
    meter = CpuMeter({"a": lambda: [], "b": lambda: []})
    meter.start()
    meter.stop()
    meter.add("a", 1.0)
    meter.add("b", 3.0)
    meter.wall = 4.0
    figures = meter.figures(operations=1000)
    assert figures["cpu_ms_per_operation"] == {"a": 1.0, "b": 3.0}
    assert figures["cpu_ms_per_operation_total"] == 4.0
    assert figures["cores_busy"] == 1.0
    assert figures["cpu_bound_per_second"] == round((os.cpu_count() or 1) / 0.004, 1)


def test_a_process_gone_reads_as_nothing():
    assert cpu_seconds([2**22 + 12345]) == 0.0


def test_top_frames_of_a_collapsed_profile(tmp_path):
    from patronage.bench.profiles import top_frames

    collapsed = tmp_path / "wallet.txt"
    collapsed.write_text(
        "<module> (patronage/__main__.py:3);Runner.run (asyncio/runners.py:118);"
        "handle (services/wallet/api/recharges.py:74);execute (asyncpg/connection.py:10) 3\n"
        "<module> (patronage/__main__.py:3);Runner.run (asyncio/runners.py:118);"
        "handle (services/wallet/api/recharges.py:80);decode (jwt/api_jwt.py:5) 1\n")
    summary = top_frames(collapsed)
    assert summary["samples"] == 4
    # one frame per function whatever the line, the runner and CLI frames left out
    assert summary["project_inclusive"] == [
        {"frame": "handle (services/wallet/api/recharges.py)", "share": 1.0}]
    assert summary["self"] == [{"frame": "execute (asyncpg/connection.py)", "share": 0.75},
                               {"frame": "decode (jwt/api_jwt.py)", "share": 0.25}]


def _may_attach() -> bool:
    from pathlib import Path

    from patronage.bench.profiles import py_spy

    scope = Path("/proc/sys/kernel/yama/ptrace_scope")
    allowed = os.geteuid() == 0 or not scope.exists() or scope.read_text().strip() == "0"
    return py_spy() is not None and allowed


@pytest.mark.skipif(not _may_attach(), reason="py-spy may not attach here (needs root or ptrace_scope=0)")
def test_the_profiler_samples_a_running_python_process(tmp_path):
    from patronage.bench.profiles import Profiler

    script = tmp_path / "busy.py"
    script.write_text("def spin():\n    while True:\n        sum(range(1000))\n\nspin()\n")
    busy = subprocess.Popen([sys.executable, str(script)])
    try:
        profiler = Profiler(tmp_path / "profiles", {"busy": busy.pid}, subprocesses=False)
        profiler.start()
        import time

        time.sleep(1.5)
        profiler.stop()
    finally:
        busy.kill()
        busy.wait()
    summary = profiler.summary()["busy"]
    assert summary["samples"] > 20
    assert any(entry["frame"].startswith("spin (") for entry in summary["self"])

