"""`patronage chaos`: the chaos suite's long run, one command (the short run is a pytest
test, `tests/chaos`, run alone by `scripts/test`)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

import typer


def chaos(
    minutes: Annotated[float, typer.Option(help="Minutes of load (faults all along)")] = 30.0,
    seconds: Annotated[float | None, typer.Option(help="Seconds of load instead of minutes")] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same journeys, same faults in order")] = 14,
    rate: Annotated[float, typer.Option(help="New member journeys a second")] = 0.5,
    fault_pause: Annotated[float, typer.Option(help="Seconds between two faults")] = 4.0,
    work_dir: Annotated[Path | None, typer.Option(
        help="Keep the servers' data and the services' logs here (default: a temp dir, deleted)")] = None,
) -> None:
    """Kafka, PostgreSQL and every service as its own process under a mixed load, while
    services are killed, the broker and the database crash, connections are cut and slowed,
    deliveries replayed and poison sent; then the invariants as a table. Exit 1 if any fails."""
    from patronage.chaos.run import run_chaos

    load_seconds = seconds if seconds is not None else minutes * 60
    with tempfile.TemporaryDirectory(prefix="chaos-") as temp:
        directory = work_dir or Path(temp)
        directory.mkdir(parents=True, exist_ok=True)
        outcome = asyncio.run(run_chaos(directory, seconds=load_seconds, seed=seed,
                                        members_per_second=rate, fault_pause=fault_pause,
                                        say=lambda line: typer.echo(line)))
    typer.echo("chaos: every invariant holds" if outcome.ok else "chaos: INVARIANTS BROKEN")
    raise typer.Exit(0 if outcome.ok else 1)
