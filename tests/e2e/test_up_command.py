"""`scripts/dev --kafka` (`patronage up`): Kafka, PostgreSQL and every service as its own
process in one command; a recharge at the wallet reaches rewards over the real broker and
comes back as a credited bonus, and Ctrl-C stops every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.auth import member_headers

pytestmark = pytest.mark.integration
PORT_OFFSET = 4000  # away from the README's ports and the dev test's


def _pids_line(output: list[str]) -> list[int]:
    return [int(line.split("(pid ")[1].split(",")[0]) for line in output if "(pid " in line]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_runs_every_service_on_kafka_and_ctrl_c_stops_them_all(tmp_path: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "patronage", "up", "--port-offset", str(PORT_OFFSET),
         "--data-dir", str(tmp_path / "stack")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=Path(__file__).parents[2])
    output: list[str] = []
    deadline = time.monotonic() + 180
    assert process.stdout is not None
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            output.append(line)
            if "Patronage is running on Kafka" in line:
                break
            if not line and process.poll() is not None:
                pytest.fail("patronage up exited:\n" + "".join(output))
        else:
            pytest.fail("patronage up did not start in 180 s:\n" + "".join(output))
        services = _pids_line(output)
        assert len(services) == 6, output  # the five services and the console
        console = httpx.get(f"http://127.0.0.1:{8106 + PORT_OFFSET}/login", timeout=10)
        assert console.status_code == 200 and "console_login_csrf" in console.headers["set-cookie"]

        # the demo's regular recharged through the wallet process; rewards (another process)
        # decided the bonus from the Kafka event and the wallet credited it
        wallet = f"http://127.0.0.1:{8101 + PORT_OFFSET}"
        bonus, until = 0, time.monotonic() + 30
        while bonus == 0 and time.monotonic() < until:
            bonus = httpx.get(f"{wallet}/v1/wallets/m_9001?currency=CNY", timeout=10,
                              headers=member_headers("m_9001")).json()["bonus"]
            time.sleep(0.2)
        assert bonus > 0

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=90) == 0
        assert not [pid for pid in services if _alive(pid)]
        assert (tmp_path / "stack" / "logs" / "wallet.log").stat().st_size > 0
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
