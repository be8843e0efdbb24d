"""The dashboard's KPI panel, experiment results (the interval chart's geometry) and
campaign budgets, and the Reports page's figures: pure functions over API bodies."""

from __future__ import annotations

from services.console.rules import words
from services.console.rules.insight_words import INSIGHT_WORDS
from services.console.rules.interval_chart import arm_rows, interval_chart, lift_charts
from services.console.rules.kpi_panel import (
    PANEL,
    campaign_budgets,
    kpi_rows,
    renewal_cohorts,
    shown_bps_exact,
    shown_seconds,
)
from services.console.rules.report_figures import report_kpis, risk_rows
from services.console.rules.setup_words import DASHBOARD_WORDS, SETUP_WORDS
from services.rewards.rules.kpis import KPIS


def kpi(name, unit, value, numerator=None, denominator=None, **extra):
    return {"name": name, "unit": unit, "value": value, "numerator": numerator,
            "denominator": denominator, **extra}


def test_the_panel_shows_each_kpi_in_its_unit_in_a_fixed_order():
    body = {"kpis": [kpi("arpu", "minor_units", 123_450, 246_900, 2),
                     kpi("churn_rate", "bps", 1_000),  # not on the panel
                     kpi("renewal_rate", "bps", 6_666, 2, 3),
                     kpi("active_members", "count", 12_345),
                     kpi("referral_share", "bps", None, 0, 0),
                     kpi("review_turnaround_median_seconds", "count", 3_725, 1, 1)]}
    rows = kpi_rows(body, "CNY")
    assert [r.name for r in rows] == ["renewal_rate", "arpu", "active_members",
                                      "referral_share", "review_turnaround_median_seconds"]
    shown = {r.name: r.shown for r in rows}
    assert shown == {"renewal_rate": "66.66%", "arpu": "¥1,234.50", "active_members": "12,345",
                     "referral_share": "—", "review_turnaround_median_seconds": "1h 2m"}
    assert (rows[0].numerator, rows[0].denominator, rows[0].value) == (2, 3, 6_666)


def test_rates_and_durations_are_written_exactly():
    assert shown_bps_exact(5) == "0.05%" and shown_bps_exact(10_000) == "100.00%"
    assert shown_bps_exact(-250) == "-2.50%"
    assert [shown_seconds(s) for s in (59, 60, 725, 7_200)] == ["59s", "1m 0s", "12m 5s", "2h 0m"]


def test_renewal_cohorts_are_the_renewal_kpis_breakdown():
    body = {"kpis": [kpi("renewal_rate", "bps", 5_000, 1, 2, breakdown=[
        {"key": "2027-01", "value": 5_000, "numerator": 1, "denominator": 2},
        {"key": "2027-02", "value": None, "numerator": 0, "denominator": 0}])]}
    points = renewal_cohorts(body)
    assert [(p.label, p.value, p.shown) for p in points] == [
        ("2027-01", 5_000, "50.00% (1/2)"), ("2027-02", 0, "0.00% (0/0)")]
    assert renewal_cohorts({"kpis": []}) == []


def test_campaign_cost_against_budget_rounds_the_share_down():
    budgets = campaign_budgets([
        {"offer_id": "ladder", "kind": "ladder", "name": "Ladder"},
        {"offer_id": "spring", "kind": "campaign", "name": "Spring",
         "budget": {"total": 30_000, "spent": 10_000, "remaining": 20_000}},
        {"offer_id": "open", "kind": "campaign", "name": "Open-ended"}])
    assert [(b.offer_id, b.cost, b.budget, b.used_bps) for b in budgets] == [
        ("spring", 10_000, 30_000, 3_333), ("open", None, None, None)]


REPORT = {"experiment_id": "exp1", "arms": [
    {"arm": "triple", "exposed": 20, "conversion_rate": 0.55, "revenue_per_member": 1234.4,
     "cost_per_member": 2000.0, "conversion_lift": {"estimate": 0.2, "low": -0.1, "high": 0.5},
     "revenue_lift": {"estimate": 400.6, "low": 100.2, "high": 700.9}, "incremental_roi": -0.8},
    {"arm": "double", "exposed": 1, "conversion_rate": 1.0, "revenue_per_member": 0.0,
     "cost_per_member": 1000.0, "conversion_lift": {"estimate": 0.65, "low": 0.3, "high": 1.0},
     "revenue_lift": None, "incremental_roi": None},
    {"arm": "holdout", "exposed": 20, "conversion_rate": 0.35, "revenue_per_member": 833.8,
     "cost_per_member": 0.0, "conversion_lift": None, "revenue_lift": None,
     "incremental_roi": None}]}


def test_each_arm_in_whole_basis_points_and_minor_units():
    rows = {r.arm: r for r in arm_rows(REPORT, "CNY")}
    assert (rows["triple"].conversion_bps, rows["triple"].revenue_per_member) == (5_500, 1_234)
    assert rows["triple"].shown_revenue == "¥12.34" and rows["triple"].roi == "-80.00%"
    assert rows["holdout"].roi == "—" and rows["holdout"].shown_cost == "¥0.00"
    empty = arm_rows({"arms": [{"arm": "holdout", "exposed": 0, "conversion_rate": None,
                                "revenue_per_member": None, "cost_per_member": None}]}, "CNY")
    assert (empty[0].shown_conversion, empty[0].shown_revenue) == ("—", "—")


def test_the_interval_chart_is_symmetric_around_zero_and_keeps_the_figures():
    chart = interval_chart("c", [("a", 20, -10, 50), ("b", -40, -50, -30)], str)
    a, b = chart.rows
    assert chart.zero_x == (110 + 560 - 12) / 2  # the middle of the drawing room
    assert b.x_low < b.x_estimate < b.x_high < chart.zero_x  # wholly below zero
    assert a.x_low < chart.zero_x < a.x_high  # crosses zero: cannot tell yet
    # the widest bound (50 either side) reaches the edge of the room
    assert a.x_high == 560 - 12 and b.x_low == 110
    assert (a.estimate, a.low, a.high, a.shown) == (20, -10, 50, "20 [-10, 50]")
    assert a.y < b.y and chart.height == 2 * 34 + 24


def test_lift_charts_leave_off_arms_without_an_interval_and_the_holdout():
    charts = lift_charts(REPORT, "CNY")
    conversion, revenue = charts["conversion_lift"], charts["revenue_lift"]
    assert conversion.name == "exp1-conversion_lift"
    assert [(r.arm, r.estimate, r.low, r.high) for r in conversion.rows] == [
        ("triple", 2_000, -1_000, 5_000), ("double", 6_500, 3_000, 10_000)]
    assert [(r.arm, r.estimate, r.low, r.high) for r in revenue.rows] == [
        ("triple", 401, 100, 701)]
    assert revenue.rows[0].shown == "¥4.01 [¥1.00, ¥7.01]"


def test_a_reports_kpis_and_risk_figures_are_shown_in_their_units():
    body = {"currency": "CNY", "kpis": [
        kpi("bonus_cost", "minor_units", 12_500),
        kpi("tier_moves", "count", 3, breakdown=[{"key": "up", "value": 2},
                                                 {"key": "down", "value": 1}])],
            # as jsonb gives a stored body's keys back: shortest first
            "risk": {"held": 2, "approved_bonus": 8_000, "held_recharge_amount": 100_000,
                     "turnaround_p90_seconds": None, "turnaround_median_seconds": 90}}
    assert [(k.name, k.shown, k.breakdown) for k in report_kpis(body)] == [
        ("bonus_cost", "¥125.00", ()), ("tier_moves", "3", (("up", "2"), ("down", "1")))]
    assert risk_rows(body) == [("held", 2, "2"), ("held_recharge_amount", 100_000, "¥1,000.00"),
                               ("approved_bonus", 8_000, "¥80.00"),
                               ("turnaround_median_seconds", 90, "1m 30s"),
                               ("turnaround_p90_seconds", None, "—")]


def test_the_insight_words_are_new_keys_in_both_languages_with_every_kpi_named():
    source = open(words.__file__, encoding="utf-8").read()
    assert not [key for key in INSIGHT_WORDS if f'"{key}": {{' in source]
    assert not set(INSIGHT_WORDS) & (set(SETUP_WORDS) | set(DASHBOARD_WORDS))
    assert all(set(e) == {"en", "zh"} and all(e.values()) for e in INSIGHT_WORDS.values())
    assert all(words.WORDS[key] == entry for key, entry in INSIGHT_WORDS.items())
    assert all(f"kpi_{name}" in INSIGHT_WORDS for name in KPIS)
    assert all(f"kpi_def_{name}" in INSIGHT_WORDS for name in PANEL)
