"""The report's arithmetic against values computed by hand (the working is in comments)."""

from __future__ import annotations

import pytest

from services.rewards.rules.experiment_stats import (
    ArmTotals,
    arm_figures,
    proportion_difference,
    t_quantile_975,
    welch_difference,
)


@pytest.mark.parametrize(("df", "table"), [
    (1, 12.7062), (2, 4.3027), (4, 2.7764), (10, 2.2281), (30, 2.0423), (1000, 1.9623)])
def test_t_quantiles_match_the_printed_table(df: int, table: float) -> None:
    assert t_quantile_975(df) == pytest.approx(table, abs=1e-4)


def test_two_proportion_interval() -> None:
    # 30/100 against 20/100: se = sqrt(.3*.7/100 + .2*.8/100) = sqrt(.0037) = .0608276
    # half = 1.959964 * .0608276 = .1192199
    found = proportion_difference(30, 100, 20, 100)
    assert found is not None
    assert found.estimate == pytest.approx(0.1)
    assert found.low == pytest.approx(0.1 - 0.1192199, abs=1e-6)
    assert found.high == pytest.approx(0.1 + 0.1192199, abs=1e-6)


def test_welch_interval() -> None:
    # arm 10, 20, 30 (mean 20, s² 100); holdout 0, 10, 20 (mean 10, s² 100)
    # se = sqrt(100/3 + 100/3) = 8.164966; df = 4 (equal sizes and variances: 2(n-1))
    # half = 2.776445 * 8.164966 = 22.669528
    arm = ArmTotals(3, 3, 60, 1_400, 15)
    holdout = ArmTotals(3, 2, 30, 500, 0)
    found = welch_difference(arm, holdout)
    assert found is not None
    assert found.estimate == pytest.approx(10)
    assert found.low == pytest.approx(10 - 22.669528, abs=1e-4)
    assert found.high == pytest.approx(10 + 22.669528, abs=1e-4)


def test_arm_figures_and_incremental_roi() -> None:
    arm = ArmTotals(3, 3, 60, 1_400, 15)
    holdout = ArmTotals(3, 2, 30, 500, 0)
    figures = arm_figures(arm, holdout)
    assert (figures.exposed, figures.conversion_rate) == (3, 1.0)
    assert (figures.revenue_per_member, figures.cost_per_member) == (20.0, 5.0)
    # incremental revenue (20 - 10) x 3 = 30; ROI (30 - 15) / 15 = 1
    assert figures.incremental_roi == pytest.approx(1.0)
    assert figures.conversion_lift is not None
    assert figures.conversion_lift.estimate == pytest.approx(1 / 3)


def test_the_holdout_and_empty_arms_have_no_lift() -> None:
    holdout = ArmTotals(3, 2, 30, 500, 0)
    assert arm_figures(holdout, None).conversion_lift is None
    assert arm_figures(ArmTotals(0, 0, 0, 0, 0), holdout).exposed == 0
    one_each = welch_difference(ArmTotals(1, 1, 5, 25, 0), holdout)
    assert one_each is None  # a variance needs two members
    no_cost = arm_figures(ArmTotals(3, 3, 60, 1_400, 0), holdout)
    assert no_cost.incremental_roi is None
