"""Import files for the tests, written as the merchant's previous system would export them."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from rich.console import Console

from patronage.importing.checks import Settings
from patronage.importing.landing import landing
from patronage.importing.runner import Outcome, run_import
from services.tiering.settings import TieringSettings
from shared.clock import Clock, SystemClock
from shared.settings import PlatformSettings

SETTINGS = Settings(frozenset({"CNY"}), "CNY")


def csv_file(path: Path, header: str, *rows: str) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def jsonl_file(path: Path, *rows: dict) -> Path:
    path.write_text("".join(json.dumps(row, default=str) + "\n" for row in rows))
    return path


async def run(kind: str, path: Path, platform: PlatformSettings, *, batch_size: int = 100,
              clock: Clock | None = None) -> Outcome:
    clock = clock or SystemClock()
    async with landing(kind, platform, TieringSettings(), clock) as lands:
        return await run_import(kind, path, report=path.with_suffix(".report.csv"),
                                dry_run=False, batch_size=batch_size, settings=SETTINGS,
                                now=clock.now(), landing=lands, console=Console(file=io.StringIO()))


def iso(moment: datetime) -> str:
    return moment.isoformat()
