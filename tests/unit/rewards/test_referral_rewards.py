"""The referrer's points from a qualified referral, and what a revocation can take back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules.referral_rewards import points_clawback, referrer_points


def test_ten_percent_of_a_thousand_yuan_recharge_is_a_hundred_points():
    assert referrer_points(100_000, 1_000, 100) == 100
    assert referrer_points(10_050, 1_000, 100) == 10  # 10.05 worth: whole points only
    assert referrer_points(100_000, 0, 100) == 0


def test_a_clawback_never_takes_the_balance_below_zero_and_records_the_rest_as_lost():
    assert points_clawback(100, 250) == (100, 0)
    assert points_clawback(100, 30) == (30, 70)
    assert points_clawback(100, 0) == (0, 100)


@given(amount=st.integers(0, 10**12), bps=st.integers(0, 10_000), per_point=st.integers(1, 10_000))
def test_the_referrers_points_are_never_worth_more_than_promised_nor_a_point_less(
        amount: int, bps: int, per_point: int):
    points = referrer_points(amount, bps, per_point)
    promised = amount * bps // 10_000  # minor units, exact
    assert points * per_point <= promised < (points + 1) * per_point


@given(granted=st.integers(0, 10**9), balance=st.integers(0, 10**9))
def test_a_clawback_takes_what_it_can_and_loses_the_rest(granted: int, balance: int):
    taken, lost = points_clawback(granted, balance)
    assert taken + lost == granted and 0 <= taken <= balance
