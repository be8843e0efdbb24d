"""`patronage events export`: history for a new subscriber, one CloudEvents JSON a line.

Reads the services' outboxes (shared/messaging/event_export.py says why there and in
which order); publishes nothing, so the platform's subscribers see nothing of it. Progress
goes to stderr, the events to `--out` or stdout.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Annotated

import typer

from patronage.services import SERVICES

events_app = typer.Typer(help="The event archive: export stored events for a new subscriber.")
PROGRESS_EVERY = 5_000


def moment(text: str) -> datetime:
    """A day (2027-01-15, midnight UTC) or a moment with its offset (2027-01-15T08:00:00Z)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither a day nor an ISO 8601 moment") from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{text!r} has no offset; add Z or +08:00")
    return parsed


def _listed(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated values alike: --types A,B --types C."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@events_app.command("export")
def export(
    since: Annotated[str, typer.Option(help="Events that happened at or after this (day or moment)")],
    until: Annotated[str | None, typer.Option(help="... and before this")] = None,
    types: Annotated[list[str] | None, typer.Option(
        help="Only these: an event name (any version) or a full ce_type; repeat or comma-separate")] = None,
    member: Annotated[list[str] | None, typer.Option(help="Only this member's events; repeatable")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout (JSON Lines)")] = None,
) -> None:
    """Replay the stored events (published ones, as their topics received them) in order:
    per service in publication order, services merged by time. Publishes nothing."""
    from shared.db.engine import plain_url
    from shared.messaging.event_export import ExportFilter
    from shared.settings import get_platform_settings

    wanted = ExportFilter(moment(since), moment(until) if until else None, _listed(types),
                          _listed(member))
    dsn = plain_url(get_platform_settings().database_url)
    if out is None:
        count = asyncio.run(_write(dsn, wanted, sys.stdout.buffer))
    else:
        with out.open("wb") as target:
            count = asyncio.run(_write(dsn, wanted, target))
    typer.echo(f"exported {count} event(s)" + (f" to {out}" if out else ""), err=True)


async def _write(dsn: str, wanted, target: IO[bytes]) -> int:
    from shared.messaging.event_export import export_events

    count, started = 0, time.monotonic()
    async for exported in export_events(dsn, [spec.name for spec in SERVICES.values()], wanted):
        target.write(exported.line())
        count += 1
        if count % PROGRESS_EVERY == 0:
            typer.echo(f"{count} events, through {exported.event['time']} "
                       f"({time.monotonic() - started:.0f}s)", err=True)
    target.flush()
    return count
