"""docs/simulate.md stays true: its example program file is a program the command runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from patronage.cli import app
from patronage.simulate.program_files import read_program

DOC = Path(__file__).resolve().parents[3] / "docs" / "simulate.md"


def test_the_documented_program_file_runs_and_changes_what_it_says(tmp_path):
    example = re.search(r"```toml\n(.*?)```", DOC.read_text(), re.S).group(1)
    path = tmp_path / "proposed.toml"
    path.write_text(example)

    program = read_program(path)
    assert program.name == "proposed" and program.bonus_expiry_months == 6
    assert program.offers.first_recharge.bps == 1000
    assert [c.offer_id for c in program.offers.campaigns] == ["weekend_double_dormant"]
    assert [t.name for t in program.tier_rules.tiers] == ["regular", "silver", "gold"]
    assert program.offers.tiers.bonus_bps_by_tier == {"regular": 10_000, "silver": 11_000,
                                                      "gold": 12_000}
    assert program.renewal.prices.price_per_year == 39_800
    result = CliRunner().invoke(app, ["simulate", "--members", "200", "--start", "2027-01",
                                      "--compare", str(path), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [p["program"] for p in body["programs"]] == ["default", "proposed"]
    assert body["differences"]["renewal_revenue"] > 0  # a dearer list price, same renewals
