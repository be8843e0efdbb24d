"""A real `patronage import` process killed with SIGKILL halfway through, then run again:
every row is imported exactly once (the rows are keyed where they land, and a batch is one
transaction, so the batch the kill interrupted left nothing behind). Members: one row and
one `MemberEnrolled` each; balances: one opening entry each, the ledger verified."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from services.wallet.store.verification import run_verify
from tests.integration.importing.files import csv_file
from tests.support.runtime import eventually, fetch_all

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[3]
ROWS = 1500
IMPORTED = {
    "members": "SELECT count(*) AS n FROM tiering.members",
    "balances": "SELECT count(*) AS n FROM wallet.opening_balances",
}
FILES = {
    "members": ("member_id,member_number", lambda n: f"m_{n:05d},OLD-{n}"),
    "balances": ("import_id,member_id,currency,principal,bonus",
                 lambda n: f"ob_{n},m_{n % 700:05d},CNY,{100 + n},{n % 3}"),
}


def start(kind: str, path: Path, platform) -> subprocess.Popen:
    env = {**os.environ, "PATRONAGE_ENVIRONMENT": "test",
           "PATRONAGE_DATABASE_URL": platform.database_url,
           "PATRONAGE_TOPIC_PREFIX": platform.topic_prefix}
    return subprocess.Popen([sys.executable, "-m", "patronage", "import", kind, str(path),
                             "--batch-size", "10"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def count(platform, kind: str) -> int:
    return (await fetch_all(platform.database_url, IMPORTED[kind]))[0]["n"]


@pytest.mark.parametrize("kind", ["members", "balances"])
async def test_a_run_killed_halfway_and_run_again_imports_each_row_once(kind, bus_platform, tmp_path):
    header, row = FILES[kind]
    path = csv_file(tmp_path / f"{kind}.csv", header, *(row(n) for n in range(ROWS)))

    first = start(kind, path, bus_platform)
    try:
        await eventually(lambda: count(bus_platform, kind), lambda n: n >= 200, timeout=120,
                         interval=0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    halfway = await count(bus_platform, kind)
    assert 200 <= halfway < ROWS, halfway

    again = await asyncio.to_thread(
        lambda: start(kind, path, bus_platform).communicate(timeout=600))
    assert f"{halfway} already_imported" in again[1] and f"{ROWS - halfway} imported" in again[1], again
    assert await count(bus_platform, kind) == ROWS
    if kind == "members":
        events = await fetch_all(bus_platform.database_url,
                                 "SELECT key, count(*) AS n FROM tiering.outbox "
                                 "WHERE ce_type LIKE '%MemberEnrolled%' GROUP BY key")
        assert len(events) == ROWS and {e["n"] for e in events} == {1}
    else:
        entries = await fetch_all(bus_platform.database_url,
                                  "SELECT count(*) AS n, count(DISTINCT source_id) AS keys "
                                  "FROM wallet.journal_entries WHERE kind = 'opening_balance'")
        assert (entries[0]["n"], entries[0]["keys"]) == (ROWS, ROWS)
        total = await fetch_all(bus_platform.database_url,
                                "SELECT sum(principal) AS p, sum(bonus) AS b FROM wallet.wallets")
        assert (total[0]["p"], total[0]["b"]) == (sum(100 + n for n in range(ROWS)),
                                                  sum(n % 3 for n in range(ROWS)))
        assert (await run_verify(bus_platform))["ok"] is True
