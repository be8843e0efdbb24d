"""Replicas starting at once on a fresh database: `patronage migrate-race`.

Each round creates a fresh database and starts two processes at the same moment that each
run what `patronage migrate <service>` runs (`upgrade_to_head` per service), as two
replicas of a Deployment would; a round fails when either raises. The processes are forked
from this one, so a round costs the migrations, not two interpreter start-ups. The advisory
lock in `shared.db.migrations.upgrade_to_head` is what makes every round pass
(docs/operations.md, Migrations and replicas).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import asyncpg

from patronage.services import SERVICES
from shared.db.engine import plain_url, with_database
from shared.db.migrations import upgrade_to_head
from shared.service import ServiceSpec


@dataclass
class RaceResult:
    starts: int = 0
    failures: list[str] = field(default_factory=list)


def _admin(server_url: str, statement: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(plain_url(server_url))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
    asyncio.run(run())


def _start(url: str, specs: Sequence[ServiceSpec], report: Connection) -> None:
    """One replica's start: migrate, and report None or what went wrong."""
    try:
        for spec in specs:
            upgrade_to_head(spec.migrations, url, spec.name)
    except Exception as error:  # reported to the parent, which counts it as a failure
        report.send(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    else:
        report.send(None)


def _round(url: str, specs: Sequence[ServiceSpec]) -> list[str | None]:
    forking = multiprocessing.get_context("fork")
    pipes = [forking.Pipe(duplex=False) for _ in range(2)]
    replicas = [forking.Process(target=_start, args=(url, specs, sender))
                for _, sender in pipes]
    for replica in replicas:
        replica.start()
    outcomes = [receiver.recv() if receiver.poll(300) else "no answer within 300 s"
                for receiver, _ in pipes]
    for replica in replicas:
        replica.join(timeout=30)
    return outcomes


def race_migrations(server_url: str, *, pairs: int, service: str = "all") -> RaceResult:
    """`pairs` rounds of two simultaneous migrations, each round on a fresh database."""
    specs = list(SERVICES.values()) if service == "all" else [SERVICES[service]]
    result = RaceResult()
    for _ in range(pairs):
        database = f"migrate_race_{uuid.uuid4().hex[:12]}"
        _admin(server_url, f'CREATE DATABASE "{database}"')
        try:
            outcomes = _round(with_database(server_url, database), specs)
        finally:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        result.starts += len(outcomes)
        result.failures += [outcome for outcome in outcomes if outcome is not None]
    return result
