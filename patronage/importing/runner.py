"""One import run: check the whole file, stop there on any problem (or on `--dry-run`),
then land the rows a batch at a time with a progress bar, and report every row a service
refused. Re-running a file is always safe: rows imported before come back as
`already_imported` (each row's key is unique where it lands), so a run killed halfway is
finished by running it again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from patronage.importing.checks import Problem, Settings, check_file, write_report

IMPORTED, ALREADY = "imported", "already_imported"


class Lands(Protocol):
    async def land(self, kind: str, rows: Sequence[BaseModel]) -> dict[str, str]: ...


@dataclass
class Outcome:
    """What a run did: rows by outcome, and the problems the report lists."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def checked_file(kind: str, path: Path, report: Path, settings: Settings, now: datetime,
                 console: Console) -> tuple[list[tuple[int, BaseModel]], Outcome]:
    checked = check_file(kind, path, settings, now)
    outcome = Outcome(Counter(valid=len(checked.rows)), checked.problems)
    write_report(report, checked.problems)
    rows = len(checked.rows) + len({p.line for p in checked.problems})
    console.print(f"{path}: {rows} rows checked, {len(checked.problems)} problems"
                  f"{f' (report: {report})' if checked.problems else ''}")
    return checked.rows, outcome


async def land_rows(kind: str, rows: Sequence[tuple[int, BaseModel]], landing: Lands,
                    batch_size: int, console: Console) -> Outcome:
    """Land the checked rows, a batch (one transaction) at a time; each refused row is a
    problem on its line."""
    outcome = Outcome()
    columns = (TextColumn(f"importing {kind}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task(kind, total=len(rows))
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            results = await landing.land(kind, [row for _, row in batch])
            for line, row in batch:
                result = results[row.key()]
                outcome.counts[result if result in (IMPORTED, ALREADY) else "refused"] += 1
                if result not in (IMPORTED, ALREADY):
                    outcome.problems.append(Problem(line, "-", result))
            progress.advance(task, len(batch))
    return outcome


async def run_import(kind: str, path: Path, *, report: Path, dry_run: bool, batch_size: int,
                     settings: Settings, now: datetime, landing: Lands | None,
                     console: Console) -> Outcome:
    rows, checked = checked_file(kind, path, report, settings, now, console)
    if checked.problems or dry_run or landing is None:
        console.print("nothing imported" + ("" if checked.problems else
                                            f": {len(rows)} rows would be imported"))
        return checked
    outcome = await land_rows(kind, rows, landing, batch_size, console)
    write_report(report, outcome.problems)
    console.print(", ".join(f"{count} {name}" for name, count in sorted(outcome.counts.items()))
                  + (f" (report: {report})" if outcome.problems else ""))
    return outcome
