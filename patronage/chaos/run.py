"""One chaos run: start the stack, run the load while the faults come, let it drain, then
measure the invariants and print them as a table."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from patronage.chaos import deliveries
from patronage.chaos.client import Client, Tally
from patronage.chaos.faults import Faults
from patronage.chaos.invariants import Figures, measure
from patronage.chaos.load import Load
from patronage.chaos.report import details, rows, table
from patronage.chaos.stack import ChaosStack


@dataclass
class Outcome:
    figures: Figures
    tally: Tally
    faults: Faults
    dead_lettered: dict[str, set[str]]
    table: str

    @property
    def poison_dead_lettered(self) -> bool:
        return all(keys == self.faults.poison_keys for keys in self.dead_lettered.values())

    @property
    def ok(self) -> bool:
        return (self.figures.clean and self.poison_dead_lettered
                and self.faults.every_kind_ran() and self.figures.acknowledged > 0)


async def run_chaos(work_dir: Path, *, seconds: float, seed: int, members_per_second: float = 0.5,
                    fault_pause: float = 4.0, drain_timeout: float = 300.0,
                    say=print) -> Outcome:
    stack = ChaosStack(work_dir)
    tally = Tally()
    client = Client(tally)
    try:
        say(f"chaos: starting Kafka, PostgreSQL and every service in {work_dir}")
        await stack.start()
        load, faults = Load(stack, client, seed), Faults(stack, seed, say)
        stop_faults, stop_reviewer = asyncio.Event(), asyncio.Event()
        fault_task = asyncio.create_task(faults.run(stop_faults, fault_pause))
        reviewer = asyncio.create_task(load.reviewer(stop_reviewer))
        started = time.monotonic()
        say(f"chaos: load for {seconds:.0f}s (and until every kind of fault has run), seed {seed}")
        try:
            await load.run(seconds, members_per_second,
                           until=lambda: faults.every_kind_ran() or fault_task.done())
        finally:
            stop_faults.set()
            await fault_task
        load_seconds = time.monotonic() - started
        await stack.all_ready()
        say("chaos: draining")
        figures, dead = await drain(stack, tally, faults.poison_keys, drain_timeout)
        stop_reviewer.set()
        await reviewer
        text = table(rows(figures, tally, faults, dead, load_seconds, seed))
        say(text)
        if problems := details(figures):
            say(problems)
        return Outcome(figures, tally, faults, dead, text)
    finally:
        await client.close()
        await stack.close()


async def drain(stack: ChaosStack, tally: Tally, poison: set[str], timeout: float
                ) -> tuple[Figures, dict[str, set[str]]]:
    """Measure until everything has settled (the reviewer still deciding what gets held)
    and every poison message is in the DLQ of every group handling its type, or `timeout`;
    the last figures either way. (A service restarted late may still be working through
    its backlog, poison included, when the others have long settled.)"""
    deadline = time.monotonic() + timeout
    while True:
        figures = await measure(stack.database_url, tally)
        dead: dict[str, set[str]] = {}
        if figures.clean:
            dead = await deliveries.dead_lettered(stack.kafka_bootstrap, poison, timeout=5)
            if all(keys == poison for keys in dead.values()):
                return figures, dead
        if time.monotonic() > deadline:
            return figures, dead or await deliveries.dead_lettered(stack.kafka_bootstrap, poison)
        await asyncio.sleep(2.0)
