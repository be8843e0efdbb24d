"""Rewards on spend, pure: cash-back per purchase (rate, rungs, cap, minimum), spend-and-save
thresholds, the refunded share of counted spend, first-N qualification, targeting, and the
member-day discounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules.cashback import (
    CashbackOffer,
    FirstNGift,
    SpendAndSaveOffer,
    cashback_for,
    gift_qualifies,
    qualifying_amount,
    refunded_share,
    thresholds_reached,
)
from services.rewards.rules.member_days import MemberDayDiscount, discounts_on, line_discount
from services.rewards.rules.targeting import Audience, MemberMoment, reaches

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)  # a Wednesday
ALWAYS = Audience(NOW - timedelta(days=1), None)
DOCS_EXAMPLE = CashbackOffer("cb", ALWAYS, bps=500, rungs=((20_000, 2_000),), cap=5_000)


def test_cashback_is_the_rate_plus_the_highest_rung_reached_within_the_cap():
    assert cashback_for(DOCS_EXAMPLE, 15_000) == 750
    assert cashback_for(DOCS_EXAMPLE, 30_000) == 3_500
    assert cashback_for(DOCS_EXAMPLE, 100_000) == 5_000  # 7,000 capped
    ladder = CashbackOffer("cb", ALWAYS, rungs=((20_000, 2_000), (50_000, 6_000)))
    assert [cashback_for(ladder, a) for a in (19_999, 20_000, 49_999, 50_000)] == [0, 2_000, 2_000, 6_000]


def test_no_cashback_under_the_minimum_or_on_bonus_money():
    offer = CashbackOffer("cb", ALWAYS, bps=1_000, min_spend=10_000)
    assert cashback_for(offer, 9_999) == 0 and cashback_for(offer, 10_000) == 1_000
    assert qualifying_amount(total=10_000, paid_bonus=10_000) == 0
    assert qualifying_amount(total=10_000, paid_bonus=2_500) == 7_500


@given(st.integers(0, 10**9), st.integers(0, 10_000), st.integers(1, 10**6))
def test_cashback_never_exceeds_its_cap_or_its_rate(amount, bps, cap):
    offer = CashbackOffer("cb", ALWAYS, bps=bps, cap=cap)
    earned = cashback_for(offer, amount)
    assert 0 <= earned <= min(cap, amount * bps // 10_000)


def test_each_threshold_is_reached_once():
    offer = SpendAndSaveOffer("s", ALWAYS, ((100_000, 5_000), (300_000, 20_000)))
    assert thresholds_reached(offer, 99_999, []) == []
    assert thresholds_reached(offer, 310_000, []) == [(100_000, 5_000), (300_000, 20_000)]
    assert thresholds_reached(offer, 310_000, [100_000]) == [(300_000, 20_000)]
    assert thresholds_reached(offer, 500_000, [100_000, 300_000]) == []


@given(st.integers(1, 10**7), st.lists(st.integers(1, 10**6), min_size=1, max_size=6))
def test_refunded_shares_add_up_to_the_counted_amount_on_a_full_refund(total, cuts):
    counted, refunded, taken = total, 0, 0
    for cut in cuts:
        step = min(cut, total - refunded)
        taken += refunded_share(counted, total, refunded, step)
        refunded += step
    taken += refunded_share(counted, total, refunded, total - refunded)
    assert taken == counted


def test_a_first_n_gift_needs_its_minimum_spend():
    gift = FirstNGift("f", ALWAYS, n=5, bonus=100, min_spend=500)
    assert [gift_qualifies(gift, a) for a in (0, 499, 500)] == [False, False, True]


def test_targeting_is_window_weekday_and_segment():
    wednesdays_new = Audience(NOW - timedelta(days=1), NOW + timedelta(days=1),
                              weekdays=frozenset({2}), segments=frozenset({"new"}))
    assert reaches(wednesdays_new, MemberMoment(NOW, 2, frozenset({"new"})))
    assert not reaches(wednesdays_new, MemberMoment(NOW, 3, frozenset({"new"})))
    assert not reaches(wednesdays_new, MemberMoment(NOW, 2, frozenset({"dormant"})))
    assert not reaches(wednesdays_new, MemberMoment(NOW + timedelta(days=1), 2, frozenset({"new"})))
    assert reaches(ALWAYS, MemberMoment(NOW, 6))


def test_targeting_by_data_segments_reaches_members_of_any_named_one():
    gold_or_vip = Audience(NOW - timedelta(days=1), None, segment_ids=frozenset({"gold", "vip"}))
    assert reaches(gold_or_vip, MemberMoment(NOW, 0, segment_ids=frozenset({"vip", "store_2"})))
    assert not reaches(gold_or_vip, MemberMoment(NOW, 0, frozenset({"new"}), frozenset({"silver"})))
    # a built-in name and a data segment: either one is enough
    new_or_gold = Audience(NOW - timedelta(days=1), None, segments=frozenset({"new"}),
                           segment_ids=frozenset({"gold"}))
    assert reaches(new_or_gold, MemberMoment(NOW, 0, frozenset({"new"})))
    assert reaches(new_or_gold, MemberMoment(NOW, 0, segment_ids=frozenset({"gold"})))
    assert not reaches(new_or_gold, MemberMoment(NOW, 0))


def test_member_day_gives_the_largest_discount_per_category_on_its_weekday():
    offers = [MemberDayDiscount("a", "A", 2, "coffee", 2_000),
              MemberDayDiscount("b", "B", 2, "coffee", 1_000),
              MemberDayDiscount("c", "C", 3, "tea", 5_000),
              MemberDayDiscount("d", "D", 2, "cake", 1_500)]
    assert [o.offer_id for o in discounts_on(offers, 2)] == ["d", "a"]
    assert [o.offer_id for o in discounts_on(offers, 2, "coffee")] == ["a"]
    assert discounts_on(offers, 4) == []
    assert line_discount(3_000, 2_000) == 600 and line_discount(999, 1_500) == 149
