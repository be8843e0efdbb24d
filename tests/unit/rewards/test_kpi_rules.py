"""The KPIs' arithmetic (services/rewards/rules/kpis.py): periods, rates, report periods,
headline figures and CSV rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules import kpis
from services.rewards.rules.kpis import Kpi
from shared.rule_violations import NotFound, RuleViolation

SHANGHAI = ZoneInfo("Asia/Shanghai")


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_a_rate_is_floor_of_the_share_in_basis_points(numerator, denominator):
    rate = kpis.rate_bps(numerator, denominator)
    assert rate is not None
    assert rate * denominator <= numerator * 10_000 < (rate + 1) * denominator


def test_an_empty_denominator_has_no_rate_and_no_average():
    assert (kpis.rate_bps(5, 0), kpis.per(5, 0)) == (None, None)
    assert (kpis.rate_bps(2, 3), kpis.per(62_000, 3)) == (6_666, 20_666)


@pytest.mark.parametrize(("start", "end", "code"), [
    (date(2027, 3, 14), date(2027, 3, 8), "invalid_period"),
    (date(2026, 1, 1), date(2027, 1, 2), "period_too_long"),
    (date(1999, 12, 31), date(2000, 1, 5), "date_out_of_range"),
    (date(2999, 12, 1), date(3000, 1, 1), "date_out_of_range"),
])
def test_periods_are_refused_with_stable_codes(start, end, code):
    with pytest.raises(RuleViolation) as refused:
        kpis.check_period(start, end)
    assert refused.value.code == code


def test_a_period_of_366_days_is_allowed_and_one_day_is_a_period():
    kpis.check_period(date(2028, 1, 1), date(2028, 12, 31))
    kpis.check_period(date(2027, 3, 8), date(2027, 3, 8))


def test_the_period_before_has_the_same_length():
    assert kpis.previous_period(date(2027, 3, 8), date(2027, 3, 14)) == (
        date(2027, 3, 1), date(2027, 3, 7))


def test_day_bounds_are_the_local_midnights_in_utc():
    assert kpis.day_bounds(date(2027, 3, 8), date(2027, 3, 14), SHANGHAI) == (
        datetime(2027, 3, 7, 16, tzinfo=UTC), datetime(2027, 3, 14, 16, tzinfo=UTC))
    assert kpis.local_day(datetime(2027, 3, 7, 16, tzinfo=UTC), SHANGHAI) == date(2027, 3, 8)


@pytest.mark.parametrize(("today", "week"), [
    (date(2027, 3, 15), (date(2027, 3, 8), date(2027, 3, 14))),  # a Monday
    (date(2027, 3, 21), (date(2027, 3, 8), date(2027, 3, 14))),  # the Sunday after
    (date(2027, 3, 22), (date(2027, 3, 15), date(2027, 3, 21))),
])
def test_the_weekly_report_is_last_monday_to_sunday(today, week):
    assert kpis.weekly_period(today) == week
    assert kpis.daily_period(today) == (date.fromordinal(today.toordinal() - 1),) * 2


def test_an_unknown_kpi_is_not_found():
    with pytest.raises(NotFound) as missing:
        kpis.kpi_unit("nps")
    assert missing.value.code == "kpi_not_found"
    assert kpis.kpi_unit("arpu") == "minor_units"


def test_headline_figures_keep_the_order_and_skip_what_has_no_value():
    found = [Kpi("bonus_cost", "minor_units", 6_000), Kpi("arpu", "minor_units", None),
             Kpi("active_members", "count", 3), Kpi("tier_moves", "count", 2)]
    assert kpis.headline_figures(found) == [("active_members", 3, "count"),
                                            ("bonus_cost", 6_000, "minor_units")]


def test_csv_rows_and_json_bodies_round_trip():
    renewal = Kpi("renewal_rate", "bps", 5_000, 1, 2, (("2027-03", 5_000, 1, 2),))
    assert kpis.csv_rows([renewal, Kpi("arpu", "minor_units", None, 0, 0)]) == [
        ["name", "key", "value", "unit", "numerator", "denominator"],
        ["renewal_rate", "", 5_000, "bps", 1, 2], ["renewal_rate", "2027-03", 5_000, "bps", 1, 2],
        ["arpu", "", "", "minor_units", 0, 0]]
    assert kpis.kpi_from_body(kpis.kpi_body(renewal)) == renewal
    assert kpis.report_id("weekly", date(2027, 3, 8)) == "weekly-2027-03-08"
