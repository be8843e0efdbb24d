"""The chaos suite's stack: its own Kafka and PostgreSQL (the local runners, since it kills
them), every service as its own OS process (`patronage serve <name>`, as ops run it), and a
TCP proxy between the services and PostgreSQL that the faults can cut and slow down.

PostgreSQL runs durable (synchronous commit): without it a kill -9 of the server may lose
transactions whose commit was already acknowledged, and the run would count losses that are
the test's settings, not the platform's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from patronage.chaos.tcp_proxy import TcpProxy
from patronage.local import free_port
from patronage.local.kafka import LocalKafka
from patronage.local.postgres import LocalPostgres
from patronage.services import SERVICES
from shared.db.engine import with_database
from shared.settings import DEV_JWT_SECRET

DATABASE = "patronage"


class ServiceProcess:
    """One `patronage serve <name>` on a fixed port; kill -9 and start again on the same one."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.name, self.port, self.env = name, port, env
        self.log_path = log_dir / f"{name}.log"
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def spawn(self) -> None:
        self.starts += 1
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                # --parent-pid: a service stops by itself when the driver is gone.
                [sys.executable, "-m", "patronage", "serve", self.name, "--host", "127.0.0.1",
                 "--port", str(self.port), "--parent-pid", str(os.getpid())],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    async def wait_ready(self, timeout: float = 300.0) -> None:
        """Until /readyz answers 200 (minutes on a busy two-core machine, with five services,
        Kafka and PostgreSQL starting at once)."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if self.process is None or self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited while starting:\n{self.log_tail()}")
                try:
                    if (await client.get(f"{self.base_url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not ready in {timeout:.0f}s:\n{self.log_tail()}")
                await asyncio.sleep(0.3)

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(line[:300] for line in text.splitlines()[-lines:])

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ChaosStack:
    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.postgres = LocalPostgres(work_dir / "postgres", durable=True)
        self.kafka = LocalKafka(work_dir / "kafka")
        self.db_proxy: TcpProxy | None = None
        self.services: dict[str, ServiceProcess] = {}

    @property
    def database_url(self) -> str:
        """Straight to PostgreSQL (the driver's checks); services go through the proxy."""
        return self.postgres.dsn_for(DATABASE)

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka.bootstrap_servers

    async def start(self) -> None:
        await asyncio.to_thread(self.postgres.start)
        await asyncio.to_thread(self.postgres.create_database, DATABASE)
        await asyncio.to_thread(self.kafka.start)
        self.db_proxy = TcpProxy(self.postgres.host, self.postgres.port or 0)
        await self.db_proxy.start()
        proxied = with_database(f"postgresql://postgres@127.0.0.1:{self.db_proxy.port}/postgres",
                                DATABASE)
        env = {**os.environ, "PATRONAGE_ENVIRONMENT": "test", "PATRONAGE_DATABASE_URL": proxied,
               "PATRONAGE_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
               "PATRONAGE_JWT_SECRET": DEV_JWT_SECRET, "PATRONAGE_LOG_LEVEL": "WARNING",
               # one POS key and one ops token carry every member's load here, as in the
               # bench: the rate limits (tested on their own) would only slow the run down
               "PATRONAGE_LIMIT_ENABLED": "false"}
        self.services = {name: ServiceProcess(name, free_port(), env, self.work_dir)
                         for name in SERVICES}
        # All at once: each migrates its own schema under its own advisory lock, and most of
        # a start is waiting (for PostgreSQL, for Kafka's group coordinator).
        for service in self.services.values():
            service.spawn()
        await self.all_ready()

    # -- faults -----------------------------------------------------------------------

    async def crash_service(self, name: str, down_for: float) -> None:
        service = self.services[name]
        service.kill9()
        await asyncio.sleep(down_for)
        service.spawn()
        await service.wait_ready()

    async def crash_kafka(self, down_for: float) -> None:
        """SIGKILL the broker, then start it on the same port and data."""
        await asyncio.to_thread(self.kafka.kill)
        await asyncio.sleep(down_for)
        await asyncio.to_thread(self.kafka.start)

    async def crash_postgres(self, down_for: float) -> None:
        """SIGKILL the postmaster and every backend, then start it on the same port and
        data: crash recovery replays the WAL. (Backends are not in the postmaster's process
        group: each calls setsid(), so they are found by parent.)"""
        pid = int((self.postgres.data_dir / "postmaster.pid").read_text().split()[0])
        family = [pid, *_children(pid)]
        for member in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(member, signal.SIGKILL)
        await asyncio.to_thread(_wait_dead, family)
        # A killed postmaster nobody has reaped yet still answers kill(pid, 0), and the
        # next one would take it for a live server; it holds nothing any more.
        (self.postgres.data_dir / "postmaster.pid").unlink(missing_ok=True)
        for lock in (self.postgres._socket_dir or self.postgres.data_dir).glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)  # the socket's lock names the dead postmaster too
        self.postgres._pid = None  # the crash already stopped it; start() takes it from here
        self.postgres._stop_watchdog()
        await asyncio.sleep(down_for)
        await asyncio.to_thread(self.postgres.start)

    async def all_ready(self) -> None:
        await asyncio.gather(*(s.wait_ready() for s in self.services.values()))

    async def close(self) -> None:
        for service in self.services.values():
            service.stop()
        if self.db_proxy is not None:
            await self.db_proxy.stop()
        await asyncio.to_thread(self.kafka.close)
        await asyncio.to_thread(self.postgres.close)


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (state first), None once it is gone."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _wait_dead(pids: list[int], timeout: float = 30.0) -> None:
    """Until each of `pids` is gone or a zombie (dead, waiting to be reaped)."""
    deadline = time.monotonic() + timeout
    while alive := [p for p in pids if (fields := _stat(p)) and fields[0] != "Z"]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"PostgreSQL processes {alive} alive after SIGKILL")
        time.sleep(0.1)
