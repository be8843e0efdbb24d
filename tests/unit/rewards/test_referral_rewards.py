"""The referrer's points from a qualified referral, and what a revocation can take back."""

from __future__ import annotations

from services.rewards.rules.referral_rewards import points_clawback, referrer_points


def test_ten_percent_of_a_thousand_yuan_recharge_is_a_hundred_points():
    assert referrer_points(100_000, 1_000, 100) == 100
    assert referrer_points(10_050, 1_000, 100) == 10  # 10.05 worth: whole points only
    assert referrer_points(100_000, 0, 100) == 0


def test_a_clawback_never_takes_the_balance_below_zero_and_records_the_rest_as_lost():
    assert points_clawback(100, 250) == (100, 0)
    assert points_clawback(100, 30) == (30, 70)
    assert points_clawback(100, 0) == (0, 100)
