"""`patronage simulate` run as a user runs it (CliRunner), checked against figures computed
another way (tests/unit/simulate/reference.py) on the same generated population."""

from __future__ import annotations

import json
import struct
from datetime import datetime
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from patronage.cli import app
from patronage.simulate.chart import HEIGHT_PX, WIDTH_PX
from patronage.simulate.population import synthetic
from patronage.simulate.program import default_program
from services.rewards.rules.offers import percent_of
from tests.unit.simulate.reference import replay

START = datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def run(*args: str) -> dict:
    result = CliRunner().invoke(app, ["simulate", "--start", "2027-01", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_default_program_cost_liability_and_breakage_match_a_direct_computation():
    # 24 months: the shipped bonus expiry is 12 months, so lots credited in the first year
    # expire inside the horizon
    figures = run("--members", "300", "--seed", "7", "--months", "24")["programs"][0]

    expected = replay(synthetic(300, 7, 24), default_program(), START)
    assert expected.bonus_cost > 0 and expected.breakage > 0 and expected.bonus > 0
    assert figures["bonus_cost"] == expected.bonus_cost
    assert figures["breakage"] == expected.breakage
    assert figures["liability"] == expected.principal + expected.bonus
    assert figures["bonus_outstanding"] == expected.bonus
    assert figures["renewal_revenue"] == expected.renewal_revenue
    assert sum(figures["monthly"]["bonus_cost"]) == figures["bonus_cost"]
    assert sum(figures["tiers_at_end"].values()) == 300


def test_compare_differs_by_exactly_the_one_rule_changed(tmp_path):
    # same tiers with x1 bonus multipliers in both, so the first-recharge extra is paid as
    # quoted; only its rate differs
    tiers = {"ladder": [{"name": "regular"}, {"name": "silver", "spend_threshold": 500_000},
                        {"name": "gold", "spend_threshold": 2_000_000}]}
    (tmp_path / "a.json").write_text(json.dumps({"name": "five", "tiers": tiers}))
    (tmp_path / "b.toml").write_text(
        'name = "ten"\nfirst_recharge = { bps = 1000 }\n[tiers]\nladder = [\n'
        + ",\n".join(f'  {{ name = "{t["name"]}", spend_threshold = {t.get("spend_threshold", 0)} }}'
                     for t in tiers["ladder"]) + "\n]\n")

    body = run("--members", "400", "--seed", "3", "--program", str(tmp_path / "a.json"),
               "--compare", str(tmp_path / "b.toml"))

    # a first recharge meets an empty wallet, so the caps never refuse it in either program
    firsts = replay(synthetic(400, 3, 12), default_program(), START).first_recharge_amounts
    expected = sum(percent_of(a, 1000) - percent_of(a, 500) for a in firsts)
    assert expected > 0
    five, ten = body["programs"]
    assert (five["program"], ten["program"]) == ("five", "ten")
    assert body["differences"]["bonus_by_offer"]["first_recharge"] == expected
    assert ten["bonus_by_offer"]["first_recharge"] - five["bonus_by_offer"]["first_recharge"] == expected
    assert body["differences"]["bonus_cost"] == ten["bonus_cost"] - five["bonus_cost"]
    assert five["renewal_revenue"] == ten["renewal_revenue"]  # renewals do not see the bonus


def test_the_chart_is_a_png_of_the_documented_size(tmp_path):
    chart = tmp_path / "whatif.png"
    result = CliRunner().invoke(app, ["simulate", "--members", "50", "--months", "3",
                                      "--start", "2027-01", "--chart", str(chart)])

    assert result.exit_code == 0, result.output
    header = chart.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    assert struct.unpack(">II", header[16:24]) == (WIDTH_PX, HEIGHT_PX)
    assert "bonus cost" in result.stdout and "members by tier at the end" in result.stdout


def test_a_program_the_services_would_refuse_is_refused_with_the_reason(tmp_path):
    cheaper_short = tmp_path / "bad.json"
    cheaper_short.write_text(json.dumps({"renewal": {"length_bps": {"1": 3000, "2": 2000}}}))
    unknown = tmp_path / "typo.json"
    unknown.write_text(json.dumps({"ladder": {"rungs": []}, "first_recharges": {"bps": 1}}))

    for path, reason in ((cheaper_short, "rise strictly"), (unknown, "first_recharges")):
        result = CliRunner().invoke(app, ["simulate", "--members", "5", "--program", str(path)])
        assert result.exit_code == 2, result.output
        assert reason in " ".join(word for word in result.output.split() if word != "│")
