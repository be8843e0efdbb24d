"""The `patronage` command: run the platform, one service, migrations, and DLQ replay."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Annotated

import typer

from patronage import eventloop
from patronage.chaos.command import chaos
from patronage.console_command import console_app
from patronage.dead_letters import DEAD_LETTER_GROUPS, dead_letter_group, dlq_list
from patronage.events_command import events_app
from patronage.importing.command import import_app
from patronage.keys_command import keys_app
from patronage.pay_command import pay
from patronage.services import CONTROL_PORT, DEFAULT_PORTS, SERVICES
from patronage.simulate.command import simulate
from patronage.wallet_command import wallet_app

# No local variables in tracebacks: a frame's locals hold the settings, secrets included.
app = typer.Typer(help="Patronage: membership and stored-value platform for merchants.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
dlq_app = typer.Typer(help="Dead-letter queues: list what failed and why, re-drive it.")
app.add_typer(dlq_app, name="dlq")
dlq_app.command("list")(dlq_list)
app.add_typer(keys_app, name="keys")
app.add_typer(wallet_app, name="wallet")
app.add_typer(import_app, name="import")
app.add_typer(events_app, name="events")
app.add_typer(console_app, name="console")
app.command()(chaos)
app.command()(pay)
app.command()(simulate)

ServiceName = Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICES)}")]


def _spec(name: str):
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; choose from {', '.join(SERVICES)}")
    return SERVICES[name]


@app.command()
def dev(
    host: str = "127.0.0.1",
    data_dir: Annotated[Path | None, typer.Option(help="PostgreSQL data directory")] = None,
    port_offset: Annotated[int, typer.Option(help="Added to every service's port")] = 0,
    demo: Annotated[bool, typer.Option(help="Seed the demo merchant (idempotent)")] = True,
) -> None:
    """Run every service in one process on an embedded PostgreSQL and an in-process bus."""
    from patronage.dev import run_dev

    eventloop.run(run_dev(data_dir, host, port_offset, demo))


@app.command()
def up(
    host: str = "127.0.0.1",
    data_dir: Annotated[Path | None, typer.Option(help="Keep Kafka, PostgreSQL and logs here")] = None,
    port_offset: Annotated[int, typer.Option(help="Added to every service's port")] = 0,
    demo: Annotated[bool, typer.Option(help="Seed the demo merchant (idempotent)")] = True,
) -> None:
    """The real stack locally: Kafka, PostgreSQL and every service as its own process."""
    from patronage.up import run_up

    eventloop.run(run_up(data_dir, host, port_offset, demo))


@app.command()
def tick(
    until: Annotated[str, typer.Option(help="A day (2027-01-15) or a moment with its offset")],
    step_hours: Annotated[float, typer.Option(help="How far each step moves the clock")] = 24,
    port: Annotated[int, typer.Option(help="`patronage dev`'s control port")] = CONTROL_PORT,
) -> None:
    """Dev only: move a running `patronage dev`'s clock forward to UNTIL, one step at a
    time, running every scheduled job at each step (reminders, reviews, expiries, deliveries)."""
    import httpx

    url = f"http://127.0.0.1:{port}/v1/dev/clock/tick"
    try:
        with httpx.stream("POST", url, json={"until": until, "step_hours": step_hours},
                          timeout=None) as answer:
            if answer.status_code != 200:
                answer.read()
                detail = answer.json().get("detail", answer.text) if answer.headers.get(
                    "content-type", "").endswith("json") else answer.text
                typer.echo(f"patronage tick: {detail}", err=True)
                raise typer.Exit(1)
            for line in answer.iter_lines():
                step = json.loads(line)
                ran = "; ".join(f"{job}: {results}" for job, results in step["ran"].items())
                typer.echo(f"{step['at']}  {ran or '-'}")
    except httpx.TransportError:
        typer.echo(f"patronage tick: nothing answers on {url}; is `patronage dev` running "
                   f"(with this --port)?", err=True)
        raise typer.Exit(3) from None


@app.command()
def serve(
    name: ServiceName, host: str = "0.0.0.0", port: int | None = None, migrate: bool = True,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Processes serving the port (default PATRONAGE_WEB_CONCURRENCY, 1)")] = None,
    listen_fd: Annotated[int | None, typer.Option(hidden=True)] = None,
    parent_pid: Annotated[int | None, typer.Option(hidden=True)] = None,
) -> None:
    """Run one service (API, outbox relay, consumer) against Kafka and PostgreSQL."""
    from shared.settings import get_platform_settings

    count = workers or get_platform_settings().web_concurrency
    if count > 1:
        from patronage.workers import supervise
        from shared.db.migrations import upgrade_to_head

        if migrate:
            spec = _spec(name)
            upgrade_to_head(spec.migrations, get_platform_settings().database_url, spec.name)
        raise typer.Exit(supervise(name, host, port or DEFAULT_PORTS[name], count))
    eventloop.run(_serve_one(name, host, port or DEFAULT_PORTS[name], migrate=migrate,
                             listen_fd=listen_fd, parent_pid=parent_pid))


async def _serve_one(name: str, host: str, port: int, *, migrate: bool, listen_fd: int | None,
                     parent_pid: int | None) -> None:
    """One process: the runtime, and HTTP on its own socket or on one a supervisor bound."""
    import socket

    from patronage.workers import stop_when_orphaned
    from shared.runtime import ServiceRuntime
    from shared.settings import get_platform_settings
    from shared.structured_logging import configure_logging
    from shared.tracing import configure_tracing
    from shared.transport import KafkaTransport

    platform = get_platform_settings()
    configure_logging(platform.log_level, json=platform.log_json)
    configure_tracing(name, platform.otel_exporter_otlp_endpoint)
    runtime = ServiceRuntime(_spec(name), platform, KafkaTransport(platform.kafka_bootstrap))
    await runtime.start(migrate=migrate)
    server = runtime.http_server(host, port)
    eventloop.freeze_startup_objects()  # what lives as long as the process: never rescanned
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    if parent_pid is not None:
        watch = asyncio.create_task(stop_when_orphaned(parent_pid, stop))
    sockets = None if listen_fd is None else [socket.socket(fileno=listen_fd)]
    serving = asyncio.create_task(server.serve(sockets=sockets))
    await stop.wait()
    server.should_exit = True
    await serving
    await runtime.stop()
    if parent_pid is not None:
        await watch


@app.command()
def migrate(name: Annotated[str, typer.Argument(help="A service, or 'all'")] = "all") -> None:
    """Apply a service's migrations (its own schema) up to the newest."""
    from shared.db.migrations import upgrade_to_head
    from shared.settings import get_platform_settings

    url = get_platform_settings().database_url
    for spec in SERVICES.values() if name == "all" else [_spec(name)]:
        upgrade_to_head(spec.migrations, url, spec.name)
        typer.echo(f"{spec.name}: migrated")


@app.command("wait-migrated")
def wait_migrated(
    name: Annotated[str, typer.Argument(help="A service, or 'all'")] = "all",
    timeout: Annotated[float, typer.Option(help="Seconds to wait before giving up")] = 600,
) -> None:
    """Wait until someone else (the migration Job) has migrated the service; exit 1 on timeout."""
    from shared.db.migration_status import wait_for_head
    from shared.settings import get_platform_settings

    url = get_platform_settings().database_url
    for spec in SERVICES.values() if name == "all" else [_spec(name)]:
        if not asyncio.run(wait_for_head(spec.migrations, url, spec.name, timeout)):
            typer.echo(f"{spec.name}: not migrated after {timeout:g}s", err=True)
            raise typer.Exit(1)
        typer.echo(f"{spec.name}: migrated")
@app.command("migrate-race")
def migrate_race(
    pairs: Annotated[int, typer.Option(min=1, help="Rounds of two simultaneous starts")] = 100,
    service: Annotated[str, typer.Option(help="A service, or 'all'")] = "all",
    server_url: Annotated[str | None, typer.Option(
        help="A PostgreSQL superuser URL; default: a throwaway local PostgreSQL")] = None,
) -> None:
    """Start `migrate` twice at once on a fresh database, `pairs` times; exit 1 on any failure."""
    from contextlib import nullcontext

    from patronage.local.postgres import LocalPostgres
    from patronage.migration_race import race_migrations

    with LocalPostgres() if server_url is None else nullcontext() as postgres:
        url = server_url or postgres.dsn
        result = race_migrations(url, pairs=pairs, service=service)
    for failure in result.failures:
        typer.echo(failure, err=True)
    typer.echo(f"{result.starts} starts in {pairs} pairs: {len(result.failures)} failed")
    raise typer.Exit(1 if result.failures else 0)


@app.command()
def prune(
    name: Annotated[str, typer.Argument(help="A service, or 'all'")] = "all",
    outbox_days: int = 7,
    inbox_days: Annotated[int, typer.Option(help="Keep longer than the topics' retention")] = 30,
) -> None:
    """Delete published outbox rows, old inbox rows and expired idempotency keys."""
    from shared.clock import SystemClock
    from shared.db.engine import plain_url
    from shared.db.retention import RetentionPolicy
    from shared.db.retention import prune as prune_schema
    from shared.settings import get_platform_settings

    url = plain_url(get_platform_settings().database_url)
    policy = RetentionPolicy(outbox_days, inbox_days)
    for spec in SERVICES.values() if name == "all" else [_spec(name)]:
        deleted = asyncio.run(prune_schema(url, spec.name, SystemClock().now(), policy))
        typer.echo(f"{spec.name}: {deleted}")


@dlq_app.command("replay")
def dlq_replay(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(DEAD_LETTER_GROUPS)}")],
    dry_run: bool = False,
) -> None:
    """Re-drive every message in `<group>.dlq` to the topic it came from (a service, or a
    service's side consumer such as `notifier-webhooks`)."""
    from shared.messaging.dlq_replay import replay_dead_letters
    from shared.settings import get_platform_settings

    group = dead_letter_group(name)
    count = asyncio.run(replay_dead_letters(get_platform_settings(), group, dry_run))
    typer.echo(f"{'would replay' if dry_run else 'replayed'} {count} message(s)")


@app.command()
def bench(
    quick: Annotated[bool, typer.Option(help="Short runs, smallest sizes")] = False,
    only: Annotated[list[str] | None, typer.Option(
        help="Run only this scenario (repeatable): recharge, bonus_loop, consumers, "
             "expiry_scan, contention, import, simulate, scale_out, memory. A partial run "
             "writes its results file but leaves the docs/benchmarks.md table alone")] = None,
    profile: Annotated[bool, typer.Option(
        help="Record py-spy profiles of the services over the recharge, bonus-loop and "
             "consumer scenarios (top frames in the results file, raw stacks under "
             "bench/results/profiles/)")] = False,
) -> None:
    """Run the benchmarks on a local Kafka and PostgreSQL; write bench/results/ and
    docs/benchmarks.md."""
    from patronage.bench.runner import run_benchmarks

    try:
        results = run_benchmarks(quick=quick, only=only, profile=profile)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--only") from None
    for scenario in results["scenarios"]:  # each scenario's own figures (not all have runs)
        figures = {key: value for key, value in scenario.items() if key != "name"}
        typer.echo(f"{scenario['name']}: {figures}")


EXIT_CONFIGURATION_REFUSED = 2
EXIT_UNREACHABLE = 3  # the database or Kafka did not answer; 1 stays "the check failed"


def main() -> None:
    """The console script. Settings that cannot start a service are one line on stderr and
    exit status 2 (the errors name settings, never their values); a database or broker that
    does not answer is one line and exit status 3, so a script (or a cron job running
    `patronage wallet verify`) tells "unreachable" from "broken" (exit 1), not a traceback."""
    from aiokafka.errors import KafkaConnectionError
    from pydantic import ValidationError
    from sqlalchemy.exc import InterfaceError, OperationalError

    from shared.startup_secrets import UnsafeSecret

    try:
        app()
    except (ValidationError, UnsafeSecret) as error:
        typer.echo(f"patronage: configuration refused: {error}", err=True)
        raise SystemExit(EXIT_CONFIGURATION_REFUSED) from None
    except (OSError, OperationalError, InterfaceError, KafkaConnectionError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        typer.echo(f"patronage: cannot reach the database or Kafka: {reason}", err=True)
        raise SystemExit(EXIT_UNREACHABLE) from None


if __name__ == "__main__":
    main()
