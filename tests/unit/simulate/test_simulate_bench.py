"""The `simulate` row of `patronage bench`: the scenario runs and its row is written."""

from __future__ import annotations

from patronage.bench.report import write_table
from patronage.bench.simulation import simulation_speed


def test_the_simulate_scenario_reports_its_figures_and_its_row(tmp_path):
    scenario = simulation_speed(members=300)

    assert scenario["recharges"] > 0 and scenario["bonus_cost"] > 0
    assert scenario["cpu_seconds"] >= 0 and scenario["reference"]["quote_bonus_cpu_seconds"] >= 0
    doc = tmp_path / "benchmarks.md"
    write_table({"quick": True, "machine": {"commit": "abc", "cpus": 2, "python": "3.11"},
                 "scenarios": [scenario]}, doc, tmp_path / "r.json")
    assert "| simulate, default program, 300 members x 12 months |" in doc.read_text()
