"""The readable table in docs/benchmarks.md, regenerated between two markers so the prose
around it (method, history, analysis) is kept."""

from __future__ import annotations

from pathlib import Path

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _rows(results: dict) -> list[str]:
    rows = []
    for scenario in results["scenarios"]:
        if scenario["name"] == "recharge_throughput":
            reference = scenario["reference"]["pgbench_tpc_b"]["tps"]
            for run in scenario["runs"]:
                rows.append(
                    f"| recharge throughput, {run['wallets']:,} wallets | "
                    f"{run['requests_per_second']:,.0f} req/s (p50 {run['p50_ms']:.1f} ms, "
                    f"p99 {run['p99_ms']:.1f} ms, {run['errors']} errors) | "
                    f"pgbench TPC-B {reference:,.0f} tps | **{run['ratio_vs_pgbench']:.2f}×** | 1.0× |")
        if scenario["name"] == "consumer_throughput":
            reference = scenario["reference"]["bare_aiokafka_per_second"]
            for run in scenario["runs"]:
                rows.append(
                    f"| consumer throughput, {run['service']}, {scenario['events']:,} "
                    f"PurchaseCompleted | {run['events_per_second']:,.0f} events/s | bare aiokafka "
                    f"{reference:,.0f} events/s | **{run['ratio_vs_bare']:.2f}×** | 0.25× |")
    return rows


def write_table(results: dict, doc: Path, results_file: Path) -> None:
    machine = results["machine"]
    table = "\n".join([
        BEGIN,
        f"Last run: `{results_file}` — commit {machine['commit']}, {machine['cpus']} CPUs, "
        f"Python {machine['python']}{' (quick)' if results['quick'] else ''}.",
        "",
        "| scenario | figure | reference (same run) | ratio | target |",
        "|---|---|---|---|---|",
        *_rows(results),
        END,
    ])
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    doc.write_text(head + table + tail)
