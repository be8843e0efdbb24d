"""`patronage up` (`scripts/dev --kafka`): the real stack on this machine in one command —
a Kafka broker and PostgreSQL (`patronage.local`, no Docker), then every service as its own
`patronage serve` process, as in production. Ctrl-C stops the services, then the servers.

Unlike `patronage dev` there is no time travel (each process has its own real clock) and
each service's log goes to its own file, so the terminal shows only what matters.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from patronage import console_dev, demo_merchant
from patronage.local.kafka import LocalKafka
from patronage.local.postgres import LocalPostgres
from patronage.services import DEFAULT_PORTS, SERVICES
from shared.db.migrations import upgrade_to_head
from shared.settings import DEV_JWT_SECRET

READY_TIMEOUT_S = 90.0
STOP_GRACE_S = 20.0


def _service_environment(kafka: LocalKafka, database_url: str,
                         port_offset: int = 0) -> dict[str, str]:
    return {**os.environ, "PATRONAGE_KAFKA_BOOTSTRAP": kafka.bootstrap_servers,
            "PATRONAGE_DATABASE_URL": database_url, "PATRONAGE_ENVIRONMENT": "dev",
            "PYTHONUNBUFFERED": "1", **console_dev.console_urls(port_offset)}


def _start_services(env: dict[str, str], host: str, port_offset: int,
                    log_dir: Path) -> dict[str, subprocess.Popen]:
    processes = {}
    for name in SERVICES:
        log = open(log_dir / f"{name}.log", "ab")  # the child writes it
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "patronage", "serve", name, "--host", host,
             "--port", str(DEFAULT_PORTS[name] + port_offset), "--no-migrate",
             # a service outlives no `patronage up` that was killed without its Ctrl-C
             "--parent-pid", str(os.getpid())],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return processes


async def _until_ready(processes: dict[str, subprocess.Popen], port_offset: int,
                       log_dir: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    waiting = set(processes)
    async with httpx.AsyncClient(timeout=2) as http:
        while waiting:
            for name in sorted(waiting):
                if processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited with {processes[name].returncode}; "
                                       f"see {log_dir / (name + '.log')}")
                try:
                    ready = await http.get(
                        f"http://127.0.0.1:{DEFAULT_PORTS[name] + port_offset}/readyz")
                except httpx.TransportError:
                    continue
                if ready.status_code == 200:
                    waiting.discard(name)
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {READY_TIMEOUT_S:.0f} s: "
                                   f"{', '.join(sorted(waiting))}; logs in {log_dir}")
            await asyncio.sleep(0.2)


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def run_up(data_dir: Path | None, host: str, port_offset: int, demo: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log_dir = (data_dir / "logs") if data_dir else Path(tempfile.mkdtemp(prefix="patronage-up-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    kafka = LocalKafka(data_dir / "kafka" if data_dir else None)
    postgres = LocalPostgres(data_dir / "postgres" if data_dir else None, durable=True)
    processes: dict[str, subprocess.Popen] = {}
    try:
        print("starting Kafka and PostgreSQL ...", flush=True)
        await asyncio.to_thread(kafka.start)
        await asyncio.to_thread(postgres.start)
        database_url = await asyncio.to_thread(postgres.create_database, "patronage")
        for spec in SERVICES.values():  # once, before any replica starts
            await asyncio.to_thread(upgrade_to_head, spec.migrations, database_url, spec.name)
        await console_dev.add_demo_users(database_url)
        processes = _start_services(_service_environment(kafka, database_url, port_offset), host,
                                    port_offset, log_dir)
        await _until_ready(processes, port_offset, log_dir)
        if demo:
            now = datetime.now(UTC)
            creds = await demo_merchant.seed("127.0.0.1", port_offset, DEV_JWT_SECRET, now)
            print(demo_merchant.banner(creds), flush=True)
        print(console_dev.banner(host, port_offset), flush=True)
        for name in SERVICES:
            port = DEFAULT_PORTS[name] + port_offset
            print(f"  {name:<8} http://{host}:{port}  (pid {processes[name].pid}, "
                  f"log {log_dir / (name + '.log')})", flush=True)
        kept = f"kept in {data_dir}" if data_dir else "temporary: deleted on Ctrl-C (--data-dir DIR keeps it)"
        print(f"  kafka    {kafka.bootstrap_servers}\n  database {database_url}  ({kept})\n"
              "Patronage is running on Kafka, one process per service. Ctrl-C stops it.",
              flush=True)
        await stop.wait()
        print("stopping the services, then Kafka and PostgreSQL ...", flush=True)
    finally:
        _stop(processes)
        postgres.close()
        kafka.close()
