"""`patronage serve <name> --workers N`: N full replicas of a service on one port, so HTTP
uses every core (one Python process serves on one).

Each worker is an ordinary `patronage serve` process — API, outbox relay and consumer —
because replicas are safe: the relay is leader-locked (one publishes at a time) and the
consumers share the consumer group. The parent binds one SO_REUSEPORT socket per worker
before starting any, so the kernel spreads connections evenly over all of them from the
first one (a worker still starting leaves its connections queued, not refused), and hands
each worker its socket as an inherited file descriptor. The parent applies the migrations
once, then only supervises: SIGTERM or SIGINT is passed on to every worker and waited for;
if one worker dies on its own the others are stopped too (the orchestrator restarts the
whole unit); a worker whose parent disappears (SIGKILL) stops by itself.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence

STOP_GRACE_SECONDS = 30.0
PARENT_CHECK_SECONDS = 1.0


def reuse_port_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind((host, port))
        listener.listen(2048)
        listener.set_inheritable(True)
        sockets.append(listener)
    return sockets


def worker_command(name: str, listen_fd: int) -> list[str]:
    return [sys.executable, "-m", "patronage", "serve", name, "--workers", "1", "--no-migrate",
            "--listen-fd", str(listen_fd), "--parent-pid", str(os.getpid())]


def supervise(name: str, host: str, port: int, count: int) -> int:
    """Start `count` workers and wait for them; the exit status of the whole unit."""
    sockets = reuse_port_sockets(host, port, count)
    workers: list[subprocess.Popen] = []
    stopping = False

    def stop_all(signum: int = signal.SIGTERM, frame: object = None) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    for listener in sockets:
        if not stopping:
            workers.append(subprocess.Popen(worker_command(name, listener.fileno()),
                                            pass_fds=(listener.fileno(),)))
        listener.close()  # the worker holds its own copy
    failed = False
    while any(worker.poll() is None for worker in workers):
        if not stopping and any(worker.poll() is not None for worker in workers):
            failed = True  # a worker ended on its own: stop the unit rather than limp on
            stop_all()
        time.sleep(0.1)
        if stopping:
            _wait_or_kill(workers)
    return 1 if failed or any(worker.returncode for worker in workers) else 0


def _wait_or_kill(workers: Sequence[subprocess.Popen]) -> None:
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for worker in workers:
        try:
            worker.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


async def stop_when_orphaned(parent_pid: int, stop: asyncio.Event) -> None:
    """A worker's watch on its supervisor: once re-parented, the supervisor is gone."""
    while not stop.is_set():
        if os.getppid() != parent_pid:
            stop.set()
            return
        await asyncio.sleep(PARENT_CHECK_SECONDS)
