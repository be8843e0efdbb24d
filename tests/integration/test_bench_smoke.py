"""Each benchmark once, tiny, so `patronage bench` keeps working. Not a timed test: it
asserts that the scenario runs end to end and reports its figures, not how fast it is."""

from __future__ import annotations

import shutil
import uuid

import httpx
import pytest

from patronage.bench.bonus_loop import bonus_loop_latency
from patronage.bench.consumers import (
    bare_read_rate,
    consumer_throughput,
    drain_rate,
    preload_purchases,
)
from patronage.bench.contention import purchase_contention
from patronage.bench.cpu import CpuMeter, own_children_seconds, process_tree
from patronage.bench.expiry_scan import expiry_scan
from patronage.bench.http_ceiling import CEILING_PATH, ceiling_process
from patronage.bench.recharge import run_wrk, seed_wallets
from patronage.bench.report import write_table
from patronage.bench.stack import Stack, service_process
from patronage.local import free_port
from patronage.services import SERVICES
from shared.db.engine import plain_url
from shared.events.wallet import PurchaseCompleted
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
        figures = run_wrk(base, wallets=50, connections=2, seconds=1, meter=CpuMeter({
            "wallet": lambda: process_tree(base.pid), "wrk": own_children_seconds}))

    assert figures["requests"] > 0 and figures["errors"] == 0
    assert figures["cpu"]["cpu_seconds"]["wallet"] > 0 and figures["cpu"]["cpu_seconds"]["wrk"] > 0
    rows = await fetch_all(database_url, "SELECT count(*) AS n FROM wallet.recharges")
    assert rows[0]["n"] >= figures["requests"]


async def test_the_http_ceiling_answers_the_recharge_request_without_the_database(
        database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    await seed_wallets(stack.database_url, 50)
    before = await fetch_all(database_url, "SELECT count(*) AS n FROM wallet.recharges")
    with ceiling_process(stack, free_port(), workers=1,
                         PATRONAGE_TOPIC_PREFIX="bench-smoke.") as base:
        figures = run_wrk(base, wallets=50, connections=2, seconds=1, target=CEILING_PATH)
        async with httpx.AsyncClient(base_url=base) as http:
            refused = await http.post(CEILING_PATH, json={"member_id": "m", "amount": -1})

    assert figures["requests"] > 0 and figures["errors"] == 0
    assert refused.status_code in (401, 422)  # the same checks as the recharge: no key, bad body
    after = await fetch_all(database_url, "SELECT count(*) AS n FROM wallet.recharges")
    assert after[0]["n"] == before[0]["n"]


CPU = {"cpu_ms_per_operation": {"wallet": 1.0, "postgres": 0.5}, "cpu_ms_per_operation_total": 1.5,
       "cores_busy": 1.5, "cores": 2, "cpu_bound_per_second": 1333.3}


def test_the_table_is_regenerated_between_its_markers(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# B\n\nintro\n<!-- results:begin -->\nold\n<!-- results:end -->\n\noutro\n")
    results = {"quick": True, "machine": {"commit": "abc", "cpus": 2, "python": "3.11"},
               "scenarios": [{"name": "recharge_throughput",
                              "reference": {"pgbench_tpc_b": {"tps": 1000.0},
                                            "http_ceiling": {"requests_per_second": 2000.0,
                                                             "p50_ms": 1.0, "p99_ms": 4.0}},
                              "runs": [{"wallets": 10_000, "requests_per_second": 500.0,
                                        "p50_ms": 3.0, "p99_ms": 9.0, "errors": 0,
                                        "ratio_vs_pgbench": 0.5, "ratio_vs_http_ceiling": 0.25,
                                        "cpu": CPU}]}]}
    results["scenarios"][0]["reference"]["pgbench_tpc_b"]["cpu"] = {
        "cpu_ms_per_operation": {"postgres": 0.8}, "cpu_ms_per_operation_total": 0.8,
        "cores_busy": 2.0, "cores": 2, "cpu_bound_per_second": 2500.0}
    results["scenarios"] += [
        {"name": "bonus_loop_latency",
         "runs": [{"rate": 200, "reference": {"p50_ms": 2.0, "p99_ms": 5.0}, "rate_achieved": 199.0,
                   "p50_ms": 20.0, "p99_ms": 40.0, "max_ms": 60.0,
                   "credited": 4000, "recharges": 4000, "errors": 0, "ratio_p99_vs_kafka": 8.0}]},
        {"name": "consumer_throughput", "events": 200_000,
         "reference": {"bare_aiokafka_per_second": 40_000.0},
         "runs": [{"service": "tiering", "events_per_second": 4_000.0, "ratio_vs_bare": 0.1}]},
        {"name": "expiry_scan", "reference": {"memberships": 100_000, "ms_per_due": 2.0},
         "runs": [{"memberships": 1_000_000, "due": 2_740, "seconds": 6.0, "ms_per_due": 2.2,
                   "ratio_vs_smallest": 1.1}]},
        {"name": "purchase_contention", "concurrency": 50,
         "reference": {"spread_wallets": {"purchases_per_second": 400.0, "p99_ms": 200.0}},
         "overdraft_probe": {"paid": 10, "attempts": 50}, "no_overdraft": True,
         "runs": [{"purchases_per_second": 200.0, "p50_ms": 100.0, "p99_ms": 400.0,
                   "ratio_vs_spread": 0.5}]},
    ]
    write_table(results, doc, tmp_path / "r.json")
    text = doc.read_text()
    assert "old" not in text and "intro" in text and "outro" in text
    assert "| recharge throughput, 10,000 wallets | 500 req/s" in text and "**0.50×**" in text
    assert ("| recharge vs the HTTP ceiling, 10,000 wallets | 500 req/s | the same stack "
            "without the database 2,000 req/s") in text and "**0.25×**" in text
    assert "| bonus loop latency, 200 recharges/s" in text and "**8.00×** (p99)" in text
    assert "due → BonusCredited p50 20.0 ms" in text
    assert ("| recharge, 10,000 wallets | **1.500 ms** (wallet 1.000, postgres 0.500) | 1.5 of 2 "
            "| 1,333/s | pgbench TPC-B transaction: **0.800 ms** (postgres 0.800), bound 2,500/s |") in text
    assert "| consumer throughput, tiering, 200,000 PurchaseCompleted" in text
    assert "| expiry scan, 1,000,000 memberships | 2,740 MembershipExpiring" in text
    assert "**1.10×**" in text
    assert "| purchase contention, 50 concurrent on one wallet | 200 purchases/s" in text
    assert "10 of 50 paid, no overdraft, ledger verified" in text and "**0.50×**" in text


async def test_consumer_benchmark_preloads_and_reads_the_topic(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    topic = f"bench-smoke-{uuid.uuid4().hex[:6]}.wallet.events"
    await preload_purchases(kafka.bootstrap_servers, topic, count=300, members=20)

    rate, cpu = await bare_read_rate(stack, topic, 300)
    assert rate > 0
    assert cpu["cpu_seconds"]["consumer"] > 0 and cpu["cpu_ms_per_operation"]["consumer"] > 0
    assert await drain_rate(stack, probe.SPEC, "unused.", 300) is None  # probe has no such handler


async def test_bonus_loop_benchmark_sees_every_bonus_credited(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    result = await bonus_loop_latency(stack, rates=[20], seconds=1, warmup_seconds=0.5)

    run = result["runs"][0]
    reference = run["reference"]
    assert reference["messages"] == reference["arrived"] == 20
    assert run["recharges"] == run["credited"] == 20 and run["errors"] == 0
    assert 0 < run["p50_ms"] <= run["p99_ms"] <= run["max_ms"]
    # from the intended send, never less than from the 201 (which comes after it)
    assert run["p50_ms"] >= run["after_201"]["p50_ms"] and run["p99_ms"] >= run["after_201"]["p99_ms"]
    assert run["send_lag"]["p50_ms"] >= 0 and run["intended_to_201"]["p50_ms"] > 0
    cpu = run["cpu"]  # every process of the loop spent CPU in the measured window
    assert all(cpu["cpu_seconds"][name] > 0 for name in ("wallet", "rewards", "postgres", "kafka"))
    assert cpu["cpu_ms_per_operation_total"] > 0 and cpu["cores_needed_at_rate"] > 0
    hops = run["hops"]  # the measured 20 and the warm-up's loops, each hop of each timed
    assert hops["loops"] >= 20
    assert set(hops) == {"loops", "wallet_relay", "to_rewards", "rewards_txn_and_relay",
                         "to_wallet", "wallet_txn_and_relay"}
    assert all(hops[name]["p50_ms"] <= hops[name]["p99_ms"] for name in set(hops) - {"loops"})
    assert hops["wallet_relay"]["p50_ms"] > 0 and hops["rewards_txn_and_relay"]["p50_ms"] > 0
    rows = await fetch_all(database_url, "SELECT count(*) AS n FROM wallet.lots WHERE kind = 'bonus'")
    assert rows[0]["n"] >= 20


async def test_expiry_benchmark_emits_one_day_of_reminders_once(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    result = await expiry_scan(stack, sizes=[3_650, 730])

    small, large = result["runs"]
    assert (small["memberships"], large["memberships"]) == (730, 3_650)
    assert small["due"] == small["outbox_rows"] == 2  # n = 365, 730: 1 in 365
    assert large["due"] == large["outbox_rows"] == 10  # n = 1, 366; 1095, 1460 ... 3650
    assert small["repeat_run_reminders"] == large["repeat_run_reminders"] == 0
    assert result["reference"]["ms_per_due"] == small["ms_per_due"] > 0
    assert large["ratio_vs_smallest"] > 0


async def test_contention_benchmark_never_overdraws_the_hot_wallet(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    result = await purchase_contention(stack, concurrency=5, seconds=1)

    run, probe = result["runs"][0], result["overdraft_probe"]
    assert run["succeeded"] > 0 and set(run["statuses"]) == {"201"}
    assert result["reference"]["spread_wallets"]["succeeded"] > 0
    assert probe["attempts"] == 5 and probe["paid"] == 1  # each asks for all that is left
    assert probe["paid_amount"] <= probe["balance_before"]
    assert probe["balance_after"] == probe["balance_before"] - probe["paid_amount"] >= 0
    assert result["ledger_problems"] == [] and result["no_overdraft"]


async def test_consumer_benchmark_times_every_purchase_consumer(database_url, kafka, tmp_path):
    stack = Stack(plain_url(database_url), kafka.bootstrap_servers, tmp_path)
    # several batches of up to 2,000 (the consumer's max_batch): the first is not timed
    result = await consumer_throughput(stack, list(SERVICES.values()), count=10_000,
                                      max_seconds=60)

    handling = [spec.name for spec in SERVICES.values() if PurchaseCompleted in spec.handlers]
    assert {"tiering", "rewards", "referral"} <= set(handling)
    assert [run["service"] for run in result["runs"]] == handling
    assert result["reference"]["bare_aiokafka_per_second"] > 0
    assert all(run["events_per_second"] > 0 for run in result["runs"])
    rows = await fetch_all(database_url, "SELECT (SELECT count(*) FROM tiering.spend_entries) AS t, "
                                         "(SELECT count(*) FROM rewards.inbox) AS r, "
                                         "(SELECT count(*) FROM referral.spends) AS f")
    assert rows[0]["t"] >= 1 and rows[0]["r"] >= 1 and rows[0]["f"] >= 1
