"""Checking an import file before anything is written: every row on its own (rows.py), then
what needs the whole file or the deployment's settings (the same key twice, a moment in the
future, a currency the program does not count). Each problem names the file's line, the
field and the reason; `--dry-run` stops here and writes them to the report."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from patronage.importing.files import UnreadableRow, read_rows
from patronage.importing.rows import ROWS, BalanceRow, HistoryRow, MemberRow, TermRow


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class Settings:
    """What the checks read of the deployment: the wallet's currencies, the tier program's."""

    wallet_currencies: frozenset[str]
    program_currency: str


@dataclass
class Checked:
    rows: list[tuple[int, BaseModel]]
    problems: list[Problem]


def check_file(kind: str, path: Path, settings: Settings, now: datetime) -> Checked:
    model, checked = ROWS[kind], Checked([], [])
    first_line: dict[tuple[str, str], int] = {}
    for line, fields in read_rows(path):
        if isinstance(fields, UnreadableRow):
            checked.problems.append(Problem(line, "-", str(fields)))
            continue
        try:
            row = model.model_validate(fields)
        except ValidationError as error:
            checked.problems.extend(Problem(line, ".".join(map(str, e["loc"])) or "-", e["msg"])
                                    for e in error.errors(include_url=False))
            continue
        found = [Problem(line, field, reason) for field, reason in CHECKS[kind](row, settings, now)]
        for field, value in unique_fields(row):
            if (earlier := first_line.setdefault((field, value), line)) != line:
                found.append(Problem(line, field, f"{value!r} is already on line {earlier}"))
        checked.problems.extend(found)
        if not found:
            checked.rows.append((line, row))
    return checked


def unique_fields(row: BaseModel) -> Iterable[tuple[str, str]]:
    """The fields no two rows of a file may share: the key, a member number, and a member's
    term (one current term each)."""
    if isinstance(row, MemberRow):
        yield "member_id", row.member_id
        if row.member_number:
            yield "member_number", row.member_number
        return
    yield "import_id", row.import_id
    if isinstance(row, TermRow):
        yield "member_id", row.member_id


def _member(row: MemberRow, settings: Settings, now: datetime) -> Iterable[tuple[str, str]]:
    if row.enrolled_at is not None and row.enrolled_at > now:
        yield "enrolled_at", "is in the future"


def _balance(row: BalanceRow, settings: Settings, now: datetime) -> Iterable[tuple[str, str]]:
    if row.currency not in settings.wallet_currencies:
        yield "currency", f"the wallets hold {', '.join(sorted(settings.wallet_currencies))}"
    if row.bonus_expires_at is not None and row.bonus and row.bonus_expires_at <= now:
        yield "bonus_expires_at", "has passed: the bonus would expire at once"


def _history(row: HistoryRow, settings: Settings, now: datetime) -> Iterable[tuple[str, str]]:
    if row.occurred_at > now:
        yield "occurred_at", "is in the future"
    if row.currency != settings.program_currency:
        yield "currency", f"only {settings.program_currency} counts towards tiers"


def _term(row: TermRow, settings: Settings, now: datetime) -> Iterable[tuple[str, str]]:
    if row.term_end <= now:
        yield "term_end", "has passed: only current terms are imported"


CHECKS: dict[str, Callable[..., Iterable[tuple[str, str]]]] = {
    "members": _member, "balances": _balance, "history": _history, "terms": _term}


def write_report(path: Path, problems: Iterable[Problem]) -> int:
    """The report as CSV (line, field, reason), in file order; how many problems."""
    ordered = sorted(problems, key=lambda p: p.line)
    with path.open("w", newline="", encoding="utf-8") as report:
        writer = csv.writer(report)
        writer.writerow(["line", "field", "reason"])
        writer.writerows((p.line, p.field, p.reason) for p in ordered)
    return len(ordered)
