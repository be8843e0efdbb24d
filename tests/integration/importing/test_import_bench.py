"""The import benchmark once, small, so `patronage bench` keeps working: every row of the
three files imported, the ledger verified, the COPY reference measured. Not a timed test."""

from __future__ import annotations

import pytest

from patronage.bench.imports import import_throughput
from patronage.bench.report import _rows
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration


async def test_the_import_benchmark_runs_end_to_end(database_url, tmp_path):
    result = await import_throughput(database_url, tmp_path, rows=300)

    assert result["rows"] == 300 and result["ledger_ok"] is True
    assert result["reference"]["copy_seconds"] > 0 and result["ratio_vs_copy"] > 0
    counts = await fetch_all(database_url, """
        SELECT (SELECT count(*) FROM tiering.members) AS members,
               (SELECT count(*) FROM wallet.opening_balances) AS balances,
               (SELECT count(*) FROM tiering.membership_terms
                WHERE next_due_at IS NOT NULL) AS scheduled""")
    assert dict(counts[0]) == {"members": 300, "balances": 300, "scheduled": 300}
    [row] = _rows({"scenarios": [result]})
    assert row.startswith("| import, 300 members with a balance and a term each |")
