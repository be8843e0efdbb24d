"""Membership terms (stacking, grace, status, reminder points), segments and quotes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tiering.rules.memberships import (
    due_offsets,
    next_due,
    renewal_years,
    renewed_term,
    status,
)
from services.tiering.rules.quotes import PriceList, quote
from services.tiering.rules.segments import SegmentBounds, segment

GRACE = timedelta(days=15)
END = datetime(2027, 6, 30, 12, tzinfo=UTC)
DAY = timedelta(days=1)
PRICES = PriceList("CNY", 36_000, (1, 2), {1: 1000, 2: 2000},
                   {"potential": 2000, "growing": 3000, "core": 4000},
                   early_bps=1500, early_days=60, win_back_bps=2500, floor_per_year=10_000)


def test_an_early_renewal_stacks_on_the_current_end():
    span = renewed_term(END, END - 100 * DAY, 1, GRACE)
    assert (span.start, span.end) == (END, datetime(2028, 6, 30, 12, tzinfo=UTC))


def test_renewals_stack_one_after_another():
    first = renewed_term(END, END - 10 * DAY, 2, GRACE)
    second = renewed_term(first.end, END - 9 * DAY, 1, GRACE)
    assert second.start == first.end == datetime(2029, 6, 30, 12, tzinfo=UTC)
    assert second.end == datetime(2030, 6, 30, 12, tzinfo=UTC)


def test_a_renewal_within_grace_continues_the_term_without_a_gap():
    assert renewed_term(END, END + 10 * DAY, 1, GRACE).start == END


def test_a_renewal_after_grace_starts_a_fresh_term_at_the_purchase():
    bought = END + 40 * DAY
    assert renewed_term(END, bought, 1, GRACE).start == bought
    assert renewed_term(None, bought, 1, GRACE).start == bought


def test_a_term_from_29_february_ends_on_28_february():
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert renewed_term(None, leap, 1, GRACE).end == datetime(2029, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize(("now", "expected"), [
    (END - 31 * DAY, "active"), (END - 30 * DAY, "expiring"), (END - DAY, "expiring"),
    (END, "grace"), (END + 14 * DAY, "grace"), (END + 15 * DAY, "expired"),
])
def test_status_follows_the_calendar(now, expected):
    assert status(END, now, 30 * DAY, GRACE) == expected


def test_no_term_means_no_membership():
    assert status(None, END, 30 * DAY, GRACE) == "none"


def test_reminder_points_come_due_in_turn_and_stop_at_the_end():
    offsets = (30, 7, 1)
    assert due_offsets(END, END - 31 * DAY, offsets) == ()
    assert due_offsets(END, END - 30 * DAY, offsets) == (30,)
    assert due_offsets(END, END - 3 * DAY, offsets) == (7, 30)
    assert due_offsets(END, END, offsets) == ()
    assert next_due(END, END - 30 * DAY, offsets) == END - 7 * DAY
    assert next_due(END, END - DAY, offsets) == END
    assert next_due(END, END, offsets) is None


@pytest.mark.parametrize(("sku", "category", "years"), [
    ("membership-1y", "membership", 1), ("membership-2y", "membership", 2),
    ("membership-2y", "food", None), ("membership-0y", "membership", None),
    ("coffee", "membership", None), ("membership-1y", None, None),
])
def test_a_renewal_is_recognised_by_category_and_sku(sku, category, years):
    assert renewal_years(sku, category) == years


BOUNDS = SegmentBounds(growing_from=500_000, core_above=2_000_000)


@pytest.mark.parametrize(("spend", "expected"), [
    (0, "potential"), (499_999, "potential"), (500_000, "growing"), (2_000_000, "growing"),
    (2_000_001, "core"),
])
def test_segments_by_annual_spend(spend, expected):
    assert segment(spend, BOUNDS) == expected


def test_length_discounts_alone():
    now = END - 20 * DAY
    one, two = (quote(PRICES, years, None, "expiring", END, now) for years in (1, 2))
    assert (one.list_price, one.price, one.offer) == (36_000, 32_400, "length")
    assert (two.list_price, two.price, two.offer) == (72_000, 57_600, "length")


@pytest.mark.parametrize(("member_segment", "one_year", "two_years"), [
    ("potential", 25_920, 46_080), ("growing", 22_680, 40_320), ("core", 19_440, 34_560)])
def test_segment_and_length_discounts_compose(member_segment, one_year, two_years):
    found = [quote(PRICES, years, member_segment, "expiring", END, END - 20 * DAY)
             for years in (1, 2)]
    assert [q.price for q in found] == [one_year, two_years]
    assert [q.offer for q in found] == ["segment", "segment"]


def test_early_renewal_price_when_far_from_the_end():
    found = quote(PRICES, 1, None, "active", END, END - 90 * DAY)
    assert (found.price, found.offer) == (27_540, "early")  # 360 x 0.85 x 0.9
    assert [(c.name, c.bps) for c in found.components] == [("early", 1500), ("length", 1000)]


def test_win_back_price_for_a_lapsed_member():
    found = quote(PRICES, 1, None, "expired", END, END + 90 * DAY)
    assert (found.price, found.offer) == (24_300, "win_back")  # 360 x 0.75 x 0.9


def test_every_component_at_once_in_order():
    found = quote(PRICES, 2, "core", "expired", END, END + 90 * DAY)
    # 360 x 0.6 (core) x 0.75 (win-back) = 162 a year, x 2 years x 0.8 (2 years)
    assert [(c.name, c.bps) for c in found.components] == [
        ("segment", 4000), ("win_back", 2500), ("length", 2000)]
    assert (found.price, found.offer, found.discount_bps) == (25_920, "segment", 6400)


def test_a_fractional_discount_rounds_in_the_members_favour():
    odd = PriceList("CNY", 999, (1,), {1: 1000}, {}, 0, 60, 0, floor_per_year=1)
    assert quote(odd, 1, None, "expiring", END, END - DAY).price == 899
