"""The bench's memory and scale-out rows: peaks read from /proc and credited to the
scenario that ran the process, and both scenarios' rows in the regenerated table (a lost
or doubled purchase is shown, never hidden)."""

from __future__ import annotations

import os
import sys

import pytest

from patronage.bench import memory
from patronage.bench.report import write_table

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_peak_is_read_from_proc_and_credited_to_the_calling_scenario(monkeypatch):
    monkeypatch.setattr(memory, "PEAKS", [])
    peak = memory.own_peak_rss_mib()
    assert peak is not None and peak > 1

    memory.note_peak("tiering", os.getpid())

    # called from this test module, not from a bench scenario module
    assert memory.PEAKS == [{"scenario": "unknown", "service": "tiering",
                             "peak_rss_mib": memory.PEAKS[0]["peak_rss_mib"]}]
    assert memory.PEAKS[0]["peak_rss_mib"] >= peak


def test_the_scale_out_and_memory_rows_are_in_the_table(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("<!-- results:begin -->\n<!-- results:end -->\n")
    run = {"replicas": 2, "rebalance": "replica 2 stopped halfway", "events": 6_000,
           "events_per_second": 900.0, "counted": 6_000, "entries": 6_000, "exact": True,
           "per_replica": [{"events_per_second": 600.0}, {"events_per_second": None}]}
    doubled = {**run, "replicas": 3, "entries": 6_001, "exact": False}
    results = {"quick": True, "machine": {"commit": "abc", "cpus": 2, "python": "3.11"},
               "scenarios": [
                   {"name": "scale_out", "service": "tiering", "partitions": 12,
                    "runs": [{**run, "replicas": 1, "events_per_second": 1_000.0}, run,
                             doubled]},
                   {"name": "memory",
                    "processes": [{"scenario": "recharge", "service": "wallet",
                                   "peak_rss_mib": 123.4}],
                    "database": {"wallets": 10_000, "wallet_schema_mib_per_100k_wallets": 80.0,
                                 "database_mib": 400.0}}]}
    write_table(results, doc, tmp_path / "r.json")
    text = doc.read_text()
    assert "| scale-out, tiering, 2 replica(s), 12 partitions" in text
    assert "(per replica: 600, —); 6,000 counted, 6,000 entries, exact" in text
    assert "**0.90×**" in text
    assert "6,001 entries, **LOST OR DOUBLED**" in text
    assert "| memory, wallet during recharge | peak RSS 123 MiB |" in text
    assert "wallet schema 80.0 MiB per 100k wallets (10,000 wallets" in text
