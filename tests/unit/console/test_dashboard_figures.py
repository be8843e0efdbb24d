"""The dashboard's pure parts: bar geometry, figures from report bodies, consumer lag and
dead letters from Prometheus text."""

from __future__ import annotations

from datetime import date

from services.console.rules.charts import Point, bar_chart
from services.console.rules.consumer_health import consumer_lag, dead_letters
from services.console.rules.dashboard_figures import (
    local_days,
    local_months,
    members_per_tier,
    per_day,
    renewal_rates,
)


def test_bars_are_scaled_to_the_largest_value_and_keep_their_figures():
    chart = bar_chart("volume", [Point("11-01", 50_000, "¥500.00"), Point("11-02", 0, "¥0.00"),
                                 Point("11-03", 25_000, "¥250.00")])
    tallest, empty, half = chart.bars
    assert (tallest.value, tallest.shown, tallest.y) == (50_000, "¥500.00", 24)
    assert tallest.height == chart.baseline - 24
    assert empty.height == 0 and half.height == tallest.height / 2
    assert tallest.x < empty.x < half.x and not chart.empty
    assert bar_chart("none", [Point("a", 0, "0")]).empty


def test_days_and_months_end_today_oldest_first():
    assert local_days(date(2026, 3, 2), 3) == [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]
    assert local_months(date(2026, 2, 15), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_figures_from_report_bodies():
    days = [date(2026, 11, 1), date(2026, 11, 2)]
    points = per_day(days, [{"recharge_volume": 123_450}, {"recharge_volume": 0}],
                     "recharge_volume", "CNY")
    assert [(p.label, p.value, p.shown) for p in points] == [
        ("11-01", 123_450, "¥1,234.50"), ("11-02", 0, "¥0.00")]
    rates = renewal_rates([date(2026, 10, 1), date(2026, 11, 1)],
                          [{"renewal_rate": 0.75, "renewed": 3, "due": 4}, {"renewal_rate": None}])
    assert [(p.label, p.value, p.shown) for p in rates] == [
        ("2026-10", 7_500, "75.0% (3/4)"), ("2026-11", 0, "0.0% (0/0)")]
    tiers = members_per_tier({"tiers": {"gold": 2, "regular": 5, "vip": 1}}, ["regular", "gold"])
    assert [(p.label, p.value) for p in tiers] == [("regular", 5), ("gold", 2), ("vip", 1)]


def test_lag_and_dead_letters_per_group_from_several_services_metrics():
    wallet = "\n".join([
        "# HELP patronage_consumer_lag Records not committed",
        'patronage_consumer_lag{group="rewards",topic="p.wallet.events"} 7.0',
        'patronage_consumer_lag{group="rewards",topic="p.tiering.events"} 2.0',
        'patronage_dlq_messages{group="rewards"} 1.0'])
    # the same gauge seen twice (two services sharing a registry) is not counted twice
    rewards = 'patronage_consumer_lag{group="rewards",topic="p.wallet.events"} 5.0\n' \
              'patronage_consumer_lag{group="tiering",topic="p.wallet.events"} 0.0'
    assert consumer_lag([wallet, rewards]) == {"rewards": 9, "tiering": 0}
    assert dead_letters([wallet, rewards]) == {"rewards": 1}
