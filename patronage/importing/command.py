"""`patronage import members|balances|history|terms FILE [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import_app = typer.Typer(
    help="Import a merchant's existing members, balances, past spend and membership terms "
         "(CSV or JSON Lines; docs/import.md). Import members first.", no_args_is_help=True)

FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                              help="A .csv file, or .jsonl for JSON Lines")]
DryRun = Annotated[bool, typer.Option(help="Check every row, write the report, import nothing")]
Report = Annotated[Path | None, typer.Option(help="Where the report goes (default FILE.report.csv)")]
BatchSize = Annotated[int, typer.Option(min=1, max=5000, help="Rows per transaction")]


def _run(kind: str, file: Path, dry_run: bool, report: Path | None, batch_size: int) -> None:
    import asyncio
    import csv
    from contextlib import nullcontext

    from rich.console import Console

    from patronage.importing.checks import Settings
    from patronage.importing.landing import landing
    from patronage.importing.runner import run_import
    from services.tiering.settings import get_tiering_settings
    from services.wallet.settings import get_wallet_settings
    from shared.clock import SystemClock
    from shared.settings import get_platform_settings

    tiering, clock = get_tiering_settings(), SystemClock()
    settings = Settings(frozenset(get_wallet_settings().currencies), tiering.currency)
    report = report or file.with_name(file.name + ".report.csv")
    # Everything on stderr: stdout stays free for a script's own use.
    console = Console(stderr=True, soft_wrap=True)

    async def run():
        opened = nullcontext() if dry_run else landing(kind, get_platform_settings(), tiering, clock)
        async with opened as lands:
            return await run_import(kind, file, report=report, dry_run=dry_run,
                                    batch_size=batch_size, settings=settings, now=clock.now(),
                                    landing=lands, console=console)

    try:
        outcome = asyncio.run(run())
    except (UnicodeDecodeError, csv.Error) as error:
        # A file that is not UTF-8 text or not CSV at all: one line, not a traceback.
        typer.echo(f"patronage import: {file} cannot be read: {error}", err=True)
        raise typer.Exit(1) from None
    raise typer.Exit(outcome.exit_code)


@import_app.command("members")
def members(file: FileArgument, dry_run: DryRun = False, report: Report = None,
            batch_size: BatchSize = 1000) -> None:
    """Members (key: member_id), enrolled with their tier carried over."""
    _run("members", file, dry_run, report, batch_size)


@import_app.command("balances")
def balances(file: FileArgument, dry_run: DryRun = False, report: Report = None,
             batch_size: BatchSize = 1000) -> None:
    """Opening principal and bonus per member (key: import_id)."""
    _run("balances", file, dry_run, report, batch_size)


@import_app.command("history")
def history(file: FileArgument, dry_run: DryRun = False, report: Report = None,
            batch_size: BatchSize = 1000) -> None:
    """Past purchases and recharges, counted towards tiers (key: import_id)."""
    _run("history", file, dry_run, report, batch_size)


@import_app.command("terms")
def terms(file: FileArgument, dry_run: DryRun = False, report: Report = None,
          batch_size: BatchSize = 1000) -> None:
    """Current membership terms, put on the reminder schedule (key: import_id)."""
    _run("terms", file, dry_run, report, batch_size)
