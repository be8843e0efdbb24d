"""Reading an import file: CSV (a header line, then one row a line) or JSON Lines (one
object a line), told apart by the file's suffix. Each row comes with the line of the file
it starts on, so every problem can be reported where the merchant will look for it."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

JSON_LINES = (".jsonl", ".ndjson")


class UnreadableRow(ValueError):
    """A line that is not a row at all (broken JSON, not an object)."""


def file_format(path: Path) -> str:
    return "jsonl" if path.suffix.lower() in JSON_LINES else "csv"


def read_rows(path: Path) -> Iterator[tuple[int, dict | UnreadableRow]]:
    """(line number, the row's fields) for every row; an unreadable line as an
    `UnreadableRow` in place of its fields, so the reader goes on to the next."""
    with path.open(newline="", encoding="utf-8-sig") as source:
        if file_format(path) == "jsonl":
            for number, line in enumerate(source, start=1):
                if line.strip():
                    yield number, _json_row(line)
            return
        reader = csv.DictReader(source)
        if reader.fieldnames is None:  # reads the header line: an empty file has no rows
            return
        line = reader.line_num + 1
        for row in reader:
            # An empty cell is an absent field, as a missing key is in JSON.
            yield line, {key: value for key, value in row.items()
                         if key is not None and value not in ("", None)}
            line = reader.line_num + 1


def _json_row(line: str) -> dict | UnreadableRow:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return UnreadableRow(f"not JSON: {error.msg}")
    if not isinstance(row, dict):
        return UnreadableRow("not a JSON object")
    return {key: value for key, value in row.items() if value is not None}
