"""Points earning, expiry, FIFO and reversal; coupon discounts and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules.coupons import CouponRefused, CouponTerms, check_terms, discount
from services.rewards.rules.points import (
    Lot,
    NotEnoughPoints,
    expired,
    expiry_for,
    fifo_order,
    points_for_amount,
    purchase_eligible_amount,
    reversal_due,
    take_from_lots,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_points_per_currency_unit_times_tier_and_campaign_multipliers():
    assert points_for_amount(12_345, 100) == 123
    assert points_for_amount(12_345, 100, [12_000]) == 147  # 123 x 1.2 = 147.6
    assert points_for_amount(12_345, 100, [12_000, 20_000]) == 295  # 123 x 2.4 = 295.2


def test_bonus_money_earns_no_points():
    assert purchase_eligible_amount(total=10_000, paid_bonus=3_000) == 7_000


def test_points_expire_at_the_end_of_the_following_year():
    assert expiry_for(datetime(2026, 1, 1, tzinfo=UTC), 1) == datetime(2028, 1, 1, tzinfo=UTC)
    assert expiry_for(datetime(2026, 12, 31, 23, tzinfo=UTC), 1) == datetime(2028, 1, 1, tzinfo=UTC)
    assert expiry_for(NOW, 0) is None


def test_redemption_takes_the_soonest_expiring_points_first():
    lots = [Lot("b", 50, NOW + timedelta(days=300)), Lot("a", 30, NOW + timedelta(days=10)),
            Lot("c", 99, None)]
    assert take_from_lots(fifo_order(lots), 60) == [("a", 30), ("b", 30)]


def test_redeeming_more_than_the_lots_hold_is_refused_with_the_balance():
    with pytest.raises(NotEnoughPoints) as refused:
        take_from_lots([Lot("a", 10, None)], 11)
    assert (refused.value.status, refused.value.code) == (422, "insufficient_points")
    assert refused.value.extra == {"balance": 10}


def test_only_lots_past_their_date_with_points_left_expire():
    lots = [Lot("a", 5, NOW), Lot("b", 0, NOW - timedelta(days=1)), Lot("c", 5, NOW + timedelta(seconds=1)),
            Lot("d", 5, None)]
    assert [lot.entry_id for lot in expired(lots, NOW)] == ["a"]


def test_a_refund_reverses_points_in_proportion_to_the_amount_refunded():
    assert reversal_due(earned=100, purchase_total=10_000, refunded_so_far=2_500, reversed_so_far=0) == 25
    assert reversal_due(100, 10_000, 10_000, 25) == 75
    assert reversal_due(100, 10_000, 20_000, 100) == 0


@given(earned=st.integers(0, 10**6), total=st.integers(1, 10**8),
       refunds=st.lists(st.integers(0, 10**7), max_size=6))
def test_partial_refunds_never_reverse_more_than_was_earned(earned, total, refunds):
    reversed_so_far, refunded = 0, 0
    for amount in refunds:
        refunded += amount
        reversed_so_far += reversal_due(earned, total, refunded, reversed_so_far)
    assert 0 <= reversed_so_far <= earned


def terms(kind: str, value: int, min_spend: int | None = None) -> CouponTerms:
    return CouponTerms(kind, value, "CNY", min_spend, NOW - timedelta(days=1), NOW + timedelta(days=1))


def test_each_coupon_kind_gives_its_discount_never_more_than_the_basket():
    assert discount(terms("amount_off", 1_000), 5_000, "CNY", NOW, False) == 1_000
    assert discount(terms("no_threshold", 1_000), 600, "CNY", NOW, False) == 600
    assert discount(terms("percent_off", 1_500), 5_000, "CNY", NOW, False) == 750
    assert discount(terms("threshold", 1_000, 10_000), 10_000, "CNY", NOW, False) == 1_000


@pytest.mark.parametrize("basket,currency,now,redeemed,code", [
    (9_999, "CNY", NOW, False, "coupon_not_applicable"),
    (10_000, "USD", NOW, False, "coupon_not_applicable"),
    (10_000, "CNY", NOW + timedelta(days=1), False, "coupon_expired"),
    (10_000, "CNY", NOW - timedelta(days=2), False, "coupon_not_yet_valid"),
    (10_000, "CNY", NOW, True, "coupon_already_redeemed"),
])
def test_a_coupon_is_refused_with_a_stable_code(basket, currency, now, redeemed, code):
    with pytest.raises(CouponRefused) as refused:
        discount(terms("threshold", 1_000, 10_000), basket, currency, now, redeemed)
    assert (refused.value.status, refused.value.code) == (422, code)


def test_template_terms_are_checked_like_the_event():
    check_terms("percent_off", 10_000, None, None)
    for bad in [("threshold", 1_000, "CNY", None), ("no_threshold", 1_000, "CNY", 5),
                ("percent_off", 10_001, None, None), ("amount_off", 100, None, None)]:
        with pytest.raises(CouponRefused):
            check_terms(*bad)
