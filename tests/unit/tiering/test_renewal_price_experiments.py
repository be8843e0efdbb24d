"""A renewal-price experiment's variant in the quote: one more component before the floor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.tiering.rules.quotes import PriceList, quote, quotes

NOW = datetime(2030, 1, 1, tzinfo=UTC)
PRICES = PriceList("CNY", 36_000, (1, 2), {1: 0, 2: 1000}, {"core": 1000}, 0, 60, 0,
                   floor_per_year=15_000)


def test_the_variant_discounts_the_rate_and_the_length_discount_follows() -> None:
    one, two = quotes(PRICES, "core", "active", NOW + timedelta(days=400), NOW,
                      experiment_bps=2_000)
    # 360 x 0.9 (core) x 0.8 (variant) = 259.20 a year; two years 10 % off: 466.56
    assert (one.price, two.price) == (25_920, 46_656)
    assert ("experiment", 2_000) in [(c.name, c.bps) for c in one.components]
    assert two.price * 1 < one.price * 2  # still cheaper per year


def test_the_floor_still_bounds_a_deep_variant_and_a_negative_one_is_dearer() -> None:
    deep = quote(PRICES, 1, "core", "active", NOW + timedelta(days=400), NOW,
                 experiment_bps=9_000)
    assert (deep.floor_applied, deep.price) == (True, 15_000)
    dearer = quote(PRICES, 1, None, "active", NOW + timedelta(days=400), NOW,
                   experiment_bps=-1_000)
    assert dearer.price == 39_600  # 360 x 1.1


def test_without_a_variant_nothing_changes() -> None:
    plain = quote(PRICES, 1, "core", "active", NOW + timedelta(days=400), NOW)
    assert plain.price == 32_400
    assert "experiment" not in [c.name for c in plain.components]
