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
            ceiling = scenario["reference"].get("http_ceiling")
            for run in scenario["runs"] if ceiling else []:
                rows.append(
                    f"| recharge vs the HTTP ceiling, {run['wallets']:,} wallets | "
                    f"{run['requests_per_second']:,.0f} req/s | the same stack without the "
                    f"database {ceiling['requests_per_second']:,.0f} req/s (p50 "
                    f"{ceiling['p50_ms']:.1f} ms, p99 {ceiling['p99_ms']:.1f} ms) | "
                    f"**{run['ratio_vs_http_ceiling']:.2f}×** | 1.0× |")
        if scenario["name"] == "consumer_throughput":
            reference = scenario["reference"]["bare_aiokafka_per_second"]
            for run in scenario["runs"]:
                rows.append(
                    f"| consumer throughput, {run['service']}, {scenario['events']:,} "
                    f"PurchaseCompleted preloaded{_capped(scenario)} | "
                    f"{run['events_per_second']:,.0f} events/s | bare aiokafka "
                    f"{reference:,.0f} events/s | **{_ratio(run['ratio_vs_bare'])}** | 0.25× |")
        if scenario["name"] == "bonus_loop_latency":
            for run in scenario["runs"]:
                ratio, reference = run["ratio_p99_vs_kafka"], run["reference"]
                sent = f"sent {run['rate_sent']:,.0f}, " if run.get("rate_sent") else ""
                lag = (f"; send lag p99 {run['send_lag']['p99_ms']:.1f} ms, 201 → BonusCredited "
                       f"p99 {run['after_201']['p99_ms']:.1f} ms" if "send_lag" in run else "")
                rows.append(
                    f"| bonus loop latency, {run['rate']:.0f} recharges/s "
                    f"({sent}answered {run['rate_achieved']:,.0f}) | due → BonusCredited p50 "
                    f"{run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms, max {run['max_ms']:.1f} ms "
                    f"({run['credited']:,}/{run['recharges']:,} credited, {run['errors']} errors{lag}) | "
                    f"bare Kafka produce→consume p50 {reference['p50_ms']:.1f} ms, p99 "
                    f"{reference['p99_ms']:.1f} ms | **{_ratio(ratio)}** (p99) | p99 < 50 ms |")
        if scenario["name"] == "expiry_scan":
            reference = scenario["reference"]
            for run in scenario["runs"]:
                rows.append(
                    f"| expiry scan, {run['memberships']:,} memberships | {run['due']:,} "
                    f"MembershipExpiring in {run['seconds']:.2f} s ({run['ms_per_due']:.2f} ms "
                    f"per due membership) | {reference['memberships']:,} memberships: "
                    f"{reference['ms_per_due']:.2f} ms per due | **{_ratio(run['ratio_vs_smallest'])}** "
                    f"| flat (≈1.0×); 1M in < 60 s |")
        if scenario["name"] == "purchase_contention":
            reference = scenario["reference"]["spread_wallets"]
            probe = scenario["overdraft_probe"]
            for run in scenario["runs"]:
                rows.append(
                    f"| purchase contention, {scenario['concurrency']} concurrent on one wallet | "
                    f"{run['purchases_per_second']:,.0f} purchases/s (p50 {run['p50_ms']:.1f} ms, "
                    f"p99 {run['p99_ms']:.1f} ms); overdraft probe: {probe['paid']} of "
                    f"{probe['attempts']} paid, "
                    f"{_verdict(scenario)}"
                    f" | {scenario['concurrency']} wallets: {reference['purchases_per_second']:,.0f} "
                    f"purchases/s (p99 {reference['p99_ms']:.1f} ms) | "
                    f"**{_ratio(run['ratio_vs_spread'])}** | no overdraft |")
        if scenario["name"] == "import_throughput":
            by_kind = ", ".join(f"{kind} {seconds:.1f} s"
                                for kind, seconds in scenario["seconds_by_kind"].items())
            rows.append(
                f"| import, {scenario['rows']:,} members with a balance and a term each | "
                f"{scenario['seconds']:.1f} s ({by_kind}; {scenario['rows_per_second']:,.0f} "
                f"rows/s, ledger {'verified' if scenario['ledger_ok'] else '**BROKEN**'}) | "
                f"COPY of the same rows {scenario['reference']['copy_seconds']:.2f} s | "
                f"**{scenario['ratio_vs_copy']:.0f}×** | — |")
        if scenario["name"] == "simulate":
            rows.append(
                f"| simulate, default program, {scenario['members']:,} members x "
                f"{scenario['months']} months | {scenario['cpu_seconds']:.1f} s CPU "
                f"({scenario['wall_seconds']:.1f} s wall, {scenario['recharges']:,} recharges) | "
                f"quote_bonus alone per recharge "
                f"{scenario['reference']['quote_bonus_cpu_seconds']:.2f} s CPU | "
                f"**{_ratio(scenario['ratio_vs_quote_bonus'])}** | 100k x 12 months < 60 s |")
        rows += _scale_out_and_memory_rows(scenario)
    return rows


def _scale_out_and_memory_rows(scenario: dict) -> list[str]:
    rows = []
    if scenario["name"] == "scale_out":
        single = scenario["runs"][0]["events_per_second"]
        for run in scenario["runs"]:
            rates = ", ".join(f"{r['events_per_second']:,.0f}" if r["events_per_second"]
                              else "—" for r in run["per_replica"])
            rows.append(
                f"| scale-out, {scenario['service']}, {run['replicas']} replica(s), "
                f"{scenario['partitions']} partitions, {run['events']:,} PurchaseCompleted, "
                f"{run['rebalance']} | {run['events_per_second']:,.0f} events/s in all "
                f"(per replica: {rates}); {run['counted']:,} counted, {run['entries']:,} entries"
                f"{', exact' if run['exact'] else ', **LOST OR DOUBLED**'} | 1 replica: "
                f"{single:,.0f} events/s | **{run['events_per_second'] / single:.2f}×** | "
                f"nothing lost or doubled (2 cores: no speed-up expected) |")
    if scenario["name"] == "memory":
        for peak in scenario["processes"]:
            rows.append(f"| memory, {peak['service']} during {peak['scenario']} | peak RSS "
                        f"{peak['peak_rss_mib']:,.0f} MiB | — | — | — |")
        db = scenario["database"]
        if db["wallet_schema_mib_per_100k_wallets"] is not None:
            rows.append(
                f"| memory, database | wallet schema {db['wallet_schema_mib_per_100k_wallets']:,.1f} "
                f"MiB per 100k wallets ({db['wallets']:,} wallets, every scenario's rows; "
                f"whole database {db['database_mib']:,.0f} MiB) | — | — | — |")
    return rows


def _cpu_rows(results: dict) -> list[str]:
    """Where the CPU goes: per operation, by process, and the rate the cores allow at that
    cost (cpu.py), for each scenario that measured it, beside its reference's."""
    rows = []
    for scenario in results["scenarios"]:
        if scenario["name"] == "recharge_throughput":
            pgbench, ceiling = (scenario["reference"].get("pgbench_tpc_b", {}),
                                scenario["reference"].get("http_ceiling") or {})
            for run in scenario["runs"]:
                if "cpu" in run:
                    rows.append(_cpu_row(f"recharge, {run['wallets']:,} wallets", run["cpu"],
                                         "pgbench TPC-B transaction", pgbench.get("cpu")))
            if "cpu" in ceiling:
                rows.append(_cpu_row("HTTP ceiling request", ceiling["cpu"], None, None))
        if scenario["name"] == "bonus_loop_latency":
            for run in scenario["runs"]:
                if "cpu" in run:
                    needed = run["cpu"].get("cores_needed_at_rate")
                    rows.append(_cpu_row(
                        f"bonus loop at {run['rate']:.0f}/s (one loop; {needed} cores needed "
                        f"at {run['rate']:.0f}/s)", run["cpu"], "bare round trip",
                        run["reference"].get("cpu")))
        if scenario["name"] == "consumer_throughput":
            bare = scenario["reference"].get("cpu")
            for run in scenario["runs"]:
                if "cpu" in run:
                    rows.append(_cpu_row(f"{run['service']} consumer, one PurchaseCompleted",
                                         run["cpu"], "bare aiokafka", bare))
    if not rows:
        return []
    return ["", "Where the CPU goes (per operation, every process it touches, measured over "
            "the same window; the bound is the machine's cores divided by that cost):", "",
            "| operation | CPU per operation, by process | cores busy | CPU bound | "
            "reference (same run) |", "|---|---|---|---|---|", *rows]


def _cpu_row(label: str, cpu: dict, reference_label: str | None, reference: dict | None) -> str:
    def split(figures: dict) -> str:
        parts = ", ".join(f"{name} {ms:.3f}" for name, ms in
                          figures["cpu_ms_per_operation"].items())
        return f"**{figures['cpu_ms_per_operation_total']:.3f} ms** ({parts})"

    def bound(figures: dict) -> str:
        value = figures.get("cpu_bound_per_second")
        return f"{value:,.0f}/s" if value else "—"

    theirs = (f"{reference_label}: {split(reference)}, bound {bound(reference)}"
              if reference and reference.get("cpu_ms_per_operation_total") else "—")
    return (f"| {label} | {split(cpu)} | {cpu.get('cores_busy') or '—'} of {cpu['cores']} | "
            f"{bound(cpu)} | {theirs} |") if cpu.get("cpu_ms_per_operation_total") else \
        f"| {label} | — | — | — | {theirs} |"


def _verdict(scenario: dict) -> str:
    return ("no overdraft, ledger verified" if scenario["no_overdraft"]
            else "**OVERDRAFT or ledger problems**")


def _capped(scenario: dict) -> str:
    seconds = scenario.get("max_drain_seconds")
    return f" (timed over at most {seconds:.0f} s of draining)" if seconds and seconds < 1_800 else ""


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×"


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
        *_cpu_rows(results),
        END,
    ])
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    doc.write_text(head + table + tail)
