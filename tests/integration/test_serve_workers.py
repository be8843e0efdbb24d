"""`patronage serve wallet --workers 2`: two full replicas behind one port, both listening,
answering, and stopping with their supervisor — on SIGTERM, and by themselves if it is
killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from patronage.bench.stack import Stack
from patronage.local import free_port
from shared.db.engine import plain_url
from tests.support.auth import pos_headers

pytestmark = pytest.mark.integration


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def listening_socket_inodes(pid: int, port: int) -> set[str]:
    """The inodes of listening TCP sockets on `port` that `pid` holds open."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                listening.add(fields[9])
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith("socket:["):
            held.add(target[8:-1])
    return listening & held


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.1)


def recharge(base: str) -> httpx.Response:
    reference = uuid.uuid4().hex
    return httpx.post(f"{base}/v1/recharges", timeout=10, headers={
        **pos_headers(), "Idempotency-Key": reference}, json={
        "member_id": "m_workers", "amount": 100, "currency": "CNY", "payment_method": "cash",
        "payment_reference": reference, "store_id": "store_1", "terminal_id": "pos_1",
        "pos_reference": reference})


def start_two_workers(database_url: str, kafka, tmp_path) -> tuple[subprocess.Popen, str, int]:
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    port = free_port()
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "patronage", "serve", "wallet", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port)],
        env=stack.service_env(PATRONAGE_TOPIC_PREFIX=f"w{uuid.uuid4().hex[:8]}."))
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(ready, 60, "the wallet answered /readyz")
    return supervisor, base, port


def test_two_workers_listen_on_one_port_answer_and_stop_on_sigterm(database_url, kafka, tmp_path):
    supervisor, base, port = start_two_workers(database_url, kafka, tmp_path)
    try:
        workers = children_of(supervisor.pid)
        assert len(workers) == 2
        wait_until(lambda: all(listening_socket_inodes(w, port) for w in workers), 30,
                   "each worker holds a listening socket on the port")
        assert listening_socket_inodes(workers[0], port).isdisjoint(
            listening_socket_inodes(workers[1], port))
        assert [recharge(base).status_code for _ in range(10)] == [201] * 10

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(40) == 0
        assert not any(alive(w) for w in workers)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()


def test_workers_stop_by_themselves_when_the_supervisor_is_killed(database_url, kafka, tmp_path):
    supervisor, _, _ = start_two_workers(database_url, kafka, tmp_path)
    workers = children_of(supervisor.pid)
    try:
        supervisor.kill()
        supervisor.wait(10)
        wait_until(lambda: not any(alive(w) for w in workers), 40, "the orphaned workers stopped")
    finally:
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)
