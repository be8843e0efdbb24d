"""The renewal price composition (docs/tiering.md, Renewal quotes): segment x the best offer
for coming back, held up by the floor per year, then the length discount, rounded down once.
The property that matters: a longer term is always cheaper per year."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.tiering.rules.quotes import PriceList, quote, quotes
from services.tiering.rules.segments import SEGMENTS
from services.tiering.settings import TieringSettings

NOW = datetime(2030, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
STATUSES = ("none", "active", "expiring", "grace", "expired")
DEFAULTS = TieringSettings().price_list()


def cheaper_per_year(longer, shorter) -> bool:
    return longer.price * shorter.years < shorter.price * longer.years


@pytest.mark.parametrize(("segment", "status"), list(itertools.product((None, *SEGMENTS), STATUSES)))
@pytest.mark.parametrize("days_left", [-200, -10, 5, 20, 90, 400])
@pytest.mark.parametrize("first_renewal", [False, True])
def test_with_the_default_prices_two_years_cost_less_per_year_for_everyone(
        segment, status, days_left, first_renewal):
    one, two = quotes(DEFAULTS, segment, status, NOW + days_left * DAY, NOW,
                      first_renewal=first_renewal, upgrade=True)
    assert cheaper_per_year(two, one), (one, two)
    assert two.upgrade_price * one.years < one.upgrade_price * two.years


@st.composite
def price_lists(draw) -> PriceList:
    """Any settings the service accepts: lengths with strictly rising discounts whose
    smallest step times the floor is at least one minor unit a year."""
    lengths = sorted(draw(st.sets(st.integers(1, 5), min_size=2, max_size=4)))
    # the first length may have no discount; each next one rises (at most 4 x 2,400 < 10,000)
    steps = draw(st.lists(st.integers(1, 2_400), min_size=len(lengths), max_size=len(lengths)))
    length_bps = dict(zip(lengths, itertools.accumulate([steps[0] - 1, *steps[1:]]), strict=True))
    gaps = [b - a for a, b in itertools.pairwise(length_bps.values())]
    lowest_floor = -(-10_000 // min(gaps))  # the smallest floor the settings accept
    per_year = draw(st.integers(lowest_floor, 10**8))
    floor = draw(st.integers(lowest_floor, per_year))
    bps = st.integers(0, 9_999)
    return PriceList("CNY", per_year, tuple(lengths), length_bps,
                     {name: draw(bps) for name in SEGMENTS}, draw(bps), 60, draw(bps), draw(bps),
                     floor, draw(st.integers(0, 9_999)))


@settings(max_examples=500)
@given(st.data())
def test_a_longer_term_is_always_cheaper_per_year(data):
    prices = data.draw(price_lists())
    segment = data.draw(st.sampled_from((None, *SEGMENTS)))
    status = data.draw(st.sampled_from(STATUSES))
    end = NOW + data.draw(st.integers(-400, 400)) * DAY
    found = quotes(prices, segment, status, end, NOW, first_renewal=data.draw(st.booleans()),
                   upgrade=True)
    for shorter, longer in itertools.pairwise(found):
        assert cheaper_per_year(longer, shorter), (prices, shorter, longer)
        assert longer.upgrade_price * shorter.years < shorter.upgrade_price * longer.years


def test_when_the_floor_binds_the_length_discount_still_applies_after_it():
    deep = PriceList("CNY", 36_000, (1, 2), {1: 1000, 2: 2000}, {"core": 9000}, 0, 60, 9000,
                     floor_per_year=15_000)
    one, two = quotes(deep, "core", "expired", NOW - 100 * DAY, NOW)
    # 360 x 0.1 x 0.1 = 3.60 a year is below the floor of 150: the rate is 150, then the length
    assert (one.floor_applied, one.price) == (True, 13_500)
    assert (two.floor_applied, two.price) == (True, 24_000)
    assert cheaper_per_year(two, one)


def test_the_price_rounds_down_once_at_the_end_not_per_component():
    odd = PriceList("CNY", 100, (1,), {1: 1000}, {"core": 3333}, 0, 60, 0, floor_per_year=1)
    # 100 x 0.6667 x 0.9 = 60.003 -> 60; rounding after the segment (66) would give 59
    assert quote(odd, 1, "core", "active", NOW + 400 * DAY, NOW).price == 60


def test_the_offers_for_coming_back_do_not_stack_the_best_one_counts():
    lapsed_once = quote(DEFAULTS, 1, None, "expired", NOW - 100 * DAY, NOW, first_renewal=True)
    assert [(c.name, c.bps) for c in lapsed_once.components] == [("win_back", 2500), ("length", 1000)]
    current = quote(DEFAULTS, 1, None, "expiring", NOW + 20 * DAY, NOW, first_renewal=True)
    assert [(c.name, c.bps) for c in current.components] == [("first_renewal", 1000),
                                                             ("length", 1000)]
    assert current.price == 29_160  # 360 x 0.9 x 0.9


def test_no_first_renewal_offer_without_a_first_term():
    never = quote(DEFAULTS, 1, None, "none", None, NOW, first_renewal=True)
    assert [c.name for c in never.components] == ["length"]


def test_the_upgrade_costs_the_surcharge_on_the_list_price_per_year():
    one, two = quotes(DEFAULTS, "core", "expiring", NOW + 20 * DAY, NOW, upgrade=True)
    assert (one.price, one.upgrade_price) == (19_440, 19_440 + 7_200)
    assert (two.price, two.upgrade_price) == (34_560, 34_560 + 14_400)
    assert quote(DEFAULTS, 1, "core", "expiring", NOW, NOW).upgrade_price is None


@pytest.mark.parametrize(("change", "why"), [
    ({"length_discount_bps": {1: 2000, 2: 2000}}, "rise strictly"),
    ({"length_discount_bps": {1: 1000, 2: 1001}, "renewal_floor_per_year": 9_999},
     "at least 10,000"),
    ({"renewal_floor_per_year": 0}, "above 0"),
    ({"renewal_floor_per_year": 40_000}, "at most the list price"),
    ({"segment_discount_bps": {"core": 10_000}}, "9,999"),
])
def test_settings_where_commitment_might_not_pay_are_refused_at_start(change, why):
    with pytest.raises(ValueError, match=why):
        TieringSettings(**change)
