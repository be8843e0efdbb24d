"""The benchmark's stack: the same local Kafka and PostgreSQL the tests use (durable
PostgreSQL here: fsync on, as in production), and a service in its own process exactly as
ops run it (`patronage serve <name>`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from patronage.bench.memory import note_peak
from patronage.local.kafka import LocalKafka
from patronage.local.postgres import LocalPostgres
from shared.db.engine import with_database
from shared.settings import DEV_JWT_SECRET


@dataclass(frozen=True)
class Stack:
    database_url: str
    kafka_bootstrap: str
    work_dir: Path
    postgres: LocalPostgres | None = None  # for pgbench; absent when given a server

    def service_env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PATRONAGE_ENVIRONMENT": "test",
            "PATRONAGE_DATABASE_URL": self.database_url,
            "PATRONAGE_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "PATRONAGE_JWT_SECRET": DEV_JWT_SECRET,
            "PATRONAGE_LOG_LEVEL": "WARNING",
            # The load comes from one terminal key (and, in contention, one member) at
            # thousands a second: the rate limits would refuse it, so the bench runs without.
            "PATRONAGE_LIMIT_ENABLED": "false",
            **extra,
        }


@contextmanager
def local_stack(work_dir: Path) -> Iterator[Stack]:
    with LocalPostgres(work_dir / "postgres", durable=True) as postgres, \
            LocalKafka(work_dir / "kafka") as kafka:
        postgres.create_database("patronage")
        yield Stack(with_database(postgres.dsn, "patronage"), kafka.bootstrap_servers, work_dir,
                    postgres)


class ServiceURL(str):
    """A running service's base URL, carrying its process id (the CPU meter's group)."""

    pid: int

    def __new__(cls, url: str, pid: int) -> ServiceURL:
        value = super().__new__(cls, url)
        value.pid = pid
        return value


@contextmanager
def service_process(stack: Stack, name: str, port: int, workers: int = 1,
                    **env: str) -> Iterator[ServiceURL]:
    """`patronage serve <name> --workers <workers>` in its own process (a supervisor and its
    workers when more than one); yields its base URL once ready."""
    log = open(stack.work_dir / f"{name}.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "patronage", "serve", name, "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers)],
        env=stack.service_env(**env), stdout=log, stderr=subprocess.STDOUT,
    )
    base = ServiceURL(f"http://127.0.0.1:{port}", process.pid)
    # Each /readyz is a new connection, which the kernel hands to any worker; one still
    # starting holds it until it serves. So a streak of answers on fresh connections means,
    # but for a tiny chance, that every worker is up — not just the quickest.
    streak_needed, streak = 8 * workers if workers > 1 else 1, 0
    try:
        deadline = time.monotonic() + 60
        while streak < streak_needed:
            try:
                streak = streak + 1 if httpx.get(f"{base}/readyz", timeout=2).status_code == 200 else 0
            except httpx.HTTPError:
                streak = 0
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become ready; see {log.name}")
            if streak == 0:
                time.sleep(0.2)
        yield base
    finally:
        note_peak(name, process.pid)  # the scenario's peak RSS, before the process goes
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
