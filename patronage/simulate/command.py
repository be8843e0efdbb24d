"""`patronage simulate`: what a program would cost on a population, offline (docs/simulate.md).

No service, database or broker is involved: the population is generated (or read from an
events export) and run through the services' pure rules. Progress goes to stderr, the
table (or `--json`) to stdout.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

DEFAULT_MEMBERS = 10_000


def _start(text: str | None, zone: ZoneInfo) -> datetime:
    """The first day of a month (YYYY-MM) at midnight in the merchant's zone; by default the
    month after this one."""
    if text is None:
        today = datetime.now(UTC).astimezone(zone)
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    else:
        try:
            year, month = (int(part) for part in text.split("-"))
            datetime(year, month, 1)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not a month like 2027-01") from None
    return datetime(year, month, 1, tzinfo=zone)


def simulate(
    members: Annotated[int, typer.Option(
        min=1, max=5_000_000, help="Synthetic members (ignored with --population)")] = DEFAULT_MEMBERS,
    seed: Annotated[int, typer.Option(help="Seed of the population's random draws")] = 1,
    months: Annotated[int, typer.Option(min=1, max=120, help="Horizon in months")] = 12,
    start: Annotated[str | None, typer.Option(help="First month, YYYY-MM (default: next month)")] = None,
    population: Annotated[Path | None, typer.Option(
        help="JSON Lines from `patronage events export`: members' behaviour from their history")] = None,
    program: Annotated[Path | None, typer.Option(
        help="A proposed program (JSON or TOML); default: the shipped program")] = None,
    compare: Annotated[Path | None, typer.Option(
        help="A second program run on the same population, printed side by side")] = None,
    chart: Annotated[Path | None, typer.Option(help="Write a PNG chart here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """Replay a population through a program and print the bonus cost, breakage, liability,
    renewal revenue, recharge volume and members by tier at the end."""
    from patronage.simulate.engine import simulate as run
    from patronage.simulate.population import synthetic
    from patronage.simulate.population_export import PopulationFileError, from_export
    from patronage.simulate.program import default_program
    from patronage.simulate.program_files import ProgramFileError, read_program
    from patronage.simulate.report import differences, summary, table

    try:
        programs = [read_program(program) if program else default_program()]
        if compare:
            programs.append(read_program(compare))
    except ProgramFileError as error:
        raise typer.BadParameter(str(error)) from None
    if len(programs) == 2 and programs[0].name == programs[1].name:
        programs[1] = replace(programs[1], name=f"{programs[1].name} (compared)")
    first_month = _start(start, ZoneInfo(programs[0].segments.time_zone))
    if population is not None:
        try:
            people = from_export(population, first_month, months, seed)
        except PopulationFileError as error:
            raise typer.BadParameter(str(error)) from None
    else:
        people = synthetic(members, seed, months)

    def progress(line: str) -> None:
        typer.echo(line, err=True)

    summaries = [summary(run(p, people, first_month, progress)) for p in programs]
    if chart is not None:
        from patronage.simulate.chart import write_chart

        write_chart(summaries, chart)
        typer.echo(f"chart written to {chart}", err=True)
    if as_json:
        body = {"programs": summaries}
        if len(summaries) == 2:
            body["differences"] = differences(*summaries)
        typer.echo(json.dumps(body, indent=2))
    else:
        typer.echo(table(summaries))
