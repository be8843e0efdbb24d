"""`patronage dev`: every service in one process, on an embedded PostgreSQL and the
in-process bus. For trying Patronage and for demos; not durable across a crash."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import asyncpg
import uvicorn

from patronage import console_dev, demo_merchant
from patronage.local.postgres import LocalPostgres
from patronage.services import CONTROL_PORT, DEFAULT_PORTS, SERVICES
from patronage.time_machine import TimeMachine, control_app
from shared.clock import TravellingClock
from shared.db.engine import plain_url, with_database
from shared.runtime import QuietSignalsServer, ServiceRuntime
from shared.settings import PlatformSettings
from shared.structured_logging import configure_logging, get_logger
from shared.transport import BusTransport

log = get_logger(__name__)
DATABASE = "patronage"


async def _ensure_database(server_dsn: str) -> str:
    connection = await asyncpg.connect(plain_url(server_dsn))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            await connection.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await connection.close()
    return with_database(server_dsn, DATABASE)


async def run_dev(data_dir: Path | None, host: str, port_offset: int = 0, demo: bool = True) -> None:
    configure_logging(json=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    with LocalPostgres(data_dir=data_dir, durable=True) as postgres:
        platform = PlatformSettings(environment="dev", database_url=await _ensure_database(postgres.dsn))
        transport = BusTransport()
        clock = TravellingClock()  # one clock for every service: `patronage tick` moves it
        runtimes = [ServiceRuntime(spec, platform, transport, clock,
                                   settings=console_dev.console_settings(port_offset)
                                   if spec.name == "console" else None)
                    for spec in SERVICES.values()]
        for runtime in runtimes:
            await runtime.start()
        servers = [r.http_server(host, DEFAULT_PORTS[r.spec.name] + port_offset) for r in runtimes]
        control = control_app(TimeMachine(clock, runtimes, transport.bus))
        # the control port moves the clock: loopback only, whatever --host says
        servers.append(QuietSignalsServer(uvicorn.Config(
            control, host="127.0.0.1", port=CONTROL_PORT + port_offset, log_level="warning",
            lifespan="off", access_log=False, log_config=None)))
        serving = [asyncio.create_task(server.serve()) for server in servers]
        # The banner is a promise that every port answers: wait until each server listens.
        while not all(server.started for server in servers):
            if any(task.done() for task in serving):  # one could not bind its port
                await asyncio.gather(*serving)
            await asyncio.sleep(0.05)
        if demo:
            creds = await demo_merchant.seed("127.0.0.1", port_offset, platform.jwt_secret,
                                             clock.now())
            print(demo_merchant.banner(creds), flush=True)
        await console_dev.add_demo_users(platform.database_url)
        print(console_dev.banner(host, port_offset), flush=True)
        for runtime in runtimes:
            port = DEFAULT_PORTS[runtime.spec.name] + port_offset
            print(f"  {runtime.spec.name:<8} http://{host}:{port}  (docs: http://{host}:{port}/docs)",
                  flush=True)
        print(f"  control  http://127.0.0.1:{CONTROL_PORT + port_offset}  "
              f"(patronage tick --until <date>: time travel)", flush=True)
        kept = (f"kept in {data_dir}" if data_dir
                else "temporary: deleted on Ctrl-C (--data-dir DIR keeps it)")
        print(f"  database {platform.database_url}  ({kept})\n"
              "Patronage is running. Ctrl-C stops it.", flush=True)
        await stop.wait()
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*serving)
        for runtime in runtimes:
            await runtime.stop()
