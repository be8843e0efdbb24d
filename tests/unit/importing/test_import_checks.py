"""The import's checks and dry run, without a database: every bad row is reported with its
file line, field and reason, good rows pass, and a dry run imports nothing (it is given no
way to: `landing=None`, and it never asks for one)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

from rich.console import Console

from patronage.importing.checks import Settings, check_file
from patronage.importing.runner import run_import

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
SETTINGS = Settings(frozenset({"CNY"}), "CNY")


def problems_of(kind, path):
    checked = check_file(kind, path, SETTINGS, NOW)
    return checked, {(p.line, p.field) for p in checked.problems}


def test_member_rows_are_checked_like_enrolments_with_lines_from_the_file(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "member_id,member_number,phone,birthday,tier,enrolled_at\n"
        "m_1,SH-1,+8613800000001,08-15,gold,2024-05-01T10:00:00+08:00\n"
        "m 2,SH-2,,,regular,\n"                       # line 3: a space is no id
        "m_3,SH-1,,,,\n"                              # line 4: member number of line 2
        "m_4,,,13-40,,\n"                             # line 5: no such birthday
        "m_5,,,,,2099-01-01T00:00:00Z\n"              # line 6: joins in the future
        "m_1,,,,,\n"                                  # line 7: member id of line 2
        "m_7,,,,,2024-05-01T10:00:00\n")              # line 8: a moment without its offset
    checked, found = problems_of("members", path)
    assert found == {(3, "member_id"), (4, "member_number"), (5, "birthday"),
                     (6, "enrolled_at"), (7, "member_id"), (8, "enrolled_at")}
    assert [line for line, _ in checked.rows] == [2]
    [repeat] = [p for p in checked.problems if p.line == 4]
    assert repeat.reason == "'SH-1' is already on line 2"


def test_balance_history_and_term_rows_in_json_lines(tmp_path):
    balances = tmp_path / "balances.jsonl"
    balances.write_text("\n".join([
        '{"import_id": "b1", "member_id": "m_1", "currency": "CNY", "principal": 10000, "bonus": 500}',
        '{"import_id": "b2", "member_id": "m_2", "currency": "USD", "principal": 100}',
        '',
        'not json',
        '{"import_id": "b3", "member_id": "m_3", "currency": "CNY", "principal": -1}',
        '{"import_id": "b4", "member_id": "m_4", "currency": "CNY", "principal": 0, "bonus": 0}',
        '{"import_id": "b5", "member_id": "m_5", "currency": "CNY", "bonus": 9, '
        '"bonus_expires_at": "2027-01-01T00:00:00Z"}',
        '{"import_id": "b1", "member_id": "m_6", "currency": "CNY", "principal": 1}',
        '{"import_id": "b7", "member_id": "m_7", "currency": "CNY", "principal": 1.5}',
    ]) + "\n")
    checked, found = problems_of("balances", balances)
    assert found == {(2, "currency"), (4, "-"), (5, "principal"), (6, "-"),
                     (7, "bonus_expires_at"), (8, "import_id"), (9, "principal")}
    assert [line for line, _ in checked.rows] == [1]

    history = tmp_path / "history.csv"
    history.write_text("import_id,member_id,kind,amount,currency,occurred_at\n"
                       "h1,m_1,purchase,120000,CNY,2027-01-10T12:00:00+08:00\n"
                       "h2,m_1,refund,100,CNY,2027-01-10T12:00:00+08:00\n"
                       "h3,m_1,purchase,100,CNY,2027-04-10T12:00:00+08:00\n"
                       "h4,m_1,recharge,100,USD,2027-01-10T12:00:00+08:00\n")
    assert problems_of("history", history)[1] == {(3, "kind"), (4, "occurred_at"), (5, "currency")}

    terms = tmp_path / "terms.csv"
    terms.write_text("import_id,member_id,term_start,term_end,price,currency\n"
                     "t1,m_1,2026-06-01T00:00:00Z,2027-06-01T00:00:00Z,32400,CNY\n"
                     "t2,m_2,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z,,CNY\n"
                     "t3,m_3,2027-06-01T00:00:00Z,2027-06-01T00:00:00Z,,CNY\n"
                     "t4,m_1,2027-06-01T00:00:00Z,2028-06-01T00:00:00Z,,CNY\n")
    assert problems_of("terms", terms)[1] == {(3, "term_end"), (4, "-"), (5, "member_id")}


def test_a_dry_run_writes_the_report_and_lands_nothing(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("member_id,birthday\nm_1,08-15\nm_2,02-30x\n")
    report = tmp_path / "report.csv"
    output = io.StringIO()
    outcome = asyncio.run(run_import(
        "members", path, report=report, dry_run=True, batch_size=10, settings=SETTINGS, now=NOW,
        landing=None, console=Console(file=output, width=200)))
    assert outcome.exit_code == 1
    rows = list(csv.reader(report.open()))
    assert rows[0] == ["line", "field", "reason"] and [r[:2] for r in rows[1:]] == [["3", "birthday"]]
    assert "2 rows checked, 1 problems" in output.getvalue()
    assert "nothing imported" in output.getvalue()

    path.write_text("member_id\nm_1\nm_2\n")
    clean = asyncio.run(run_import(
        "members", path, report=report, dry_run=True, batch_size=10, settings=SETTINGS, now=NOW,
        landing=None, console=Console(file=io.StringIO())))
    assert clean.exit_code == 0 and clean.counts["valid"] == 2
    assert list(csv.reader(report.open())) == [["line", "field", "reason"]]


def test_the_command_dry_run_and_an_unreadable_file(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from patronage.importing.command import import_app

    monkeypatch.setenv("PATRONAGE_ENVIRONMENT", "test")
    good = tmp_path / "members.jsonl"
    good.write_text('{"member_id": "m_1"}\n{"member_id": "m_1"}\n')
    done = CliRunner().invoke(import_app, ["members", str(good), "--dry-run"])
    assert done.exit_code == 1
    assert (tmp_path / "members.jsonl.report.csv").read_text().splitlines()[1:] == [
        "2,member_id,'m_1' is already on line 1"]

    latin = tmp_path / "members.csv"
    latin.write_bytes("member_id,phone\nm_1,caf\xe9\n".encode("latin-1"))
    done = CliRunner().invoke(import_app, ["members", str(latin), "--dry-run"])
    assert done.exit_code == 1 and "cannot be read" in done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
