"""Each benchmark once, tiny, so `patronage bench` keeps working. Not a timed test: it
asserts that the scenario runs end to end and reports its figures, not how fast it is."""

from __future__ import annotations

import shutil
import uuid

import pytest

from patronage.bench.consumers import bare_read_rate, drain_rate, preload_purchases
from patronage.bench.recharge import run_wrk, seed_wallets
from patronage.bench.report import write_table
from patronage.bench.stack import Stack, service_process
from patronage.local import free_port
from shared.db.engine import plain_url
from tests.support import probe
from tests.support.runtime import fetch_all

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is installed by scripts/bootstrap"),
]


async def test_recharge_benchmark_runs_end_to_end(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    await seed_wallets(stack.database_url, 50)
    with service_process(stack, "wallet", free_port(), PATRONAGE_TOPIC_PREFIX="bench-smoke.") as base:
        figures = run_wrk(base, wallets=50, connections=2, seconds=1)

    assert figures["requests"] > 0 and figures["errors"] == 0
    rows = await fetch_all(database_url, "SELECT count(*) AS n FROM wallet.recharges")
    assert rows[0]["n"] >= figures["requests"]


def test_the_table_is_regenerated_between_its_markers(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# B\n\nintro\n<!-- results:begin -->\nold\n<!-- results:end -->\n\noutro\n")
    results = {"quick": True, "machine": {"commit": "abc", "cpus": 2, "python": "3.11"},
               "scenarios": [{"name": "recharge_throughput",
                              "reference": {"pgbench_tpc_b": {"tps": 1000.0}},
                              "runs": [{"wallets": 10_000, "requests_per_second": 500.0,
                                        "p50_ms": 3.0, "p99_ms": 9.0, "errors": 0,
                                        "ratio_vs_pgbench": 0.5}]}]}
    write_table(results, doc, tmp_path / "r.json")
    text = doc.read_text()
    assert "old" not in text and "intro" in text and "outro" in text
    assert "| recharge throughput, 10,000 wallets | 500 req/s" in text and "**0.50×**" in text


async def test_consumer_benchmark_preloads_and_reads_the_topic(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    topic = f"bench-smoke-{uuid.uuid4().hex[:6]}.wallet.events"
    await preload_purchases(kafka.bootstrap_servers, topic, count=300, members=20)

    assert await bare_read_rate(kafka.bootstrap_servers, topic, 300) > 0
    assert await drain_rate(stack, probe.SPEC, "unused.", 300) is None  # probe has no such handler
