"""Properties of renewals and prices, over many random cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.tiering.rules.memberships import due_offsets, next_due, renewed_term
from services.tiering.rules.quotes import PriceList, quote

GRACE = timedelta(days=15)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1),
                       timezones=st.just(UTC))
bps = st.integers(0, 9_999)


@given(moments, st.lists(st.tuples(st.integers(0, 800), st.integers(1, 3)), min_size=1, max_size=6))
def test_renewals_bought_before_the_end_chain_without_gap_or_overlap(start, renewals):
    end, bought_at = None, start
    for days_later, years in renewals:
        bought_at = bought_at + timedelta(days=days_later)
        span = renewed_term(end, bought_at, years, GRACE)
        if end is not None and bought_at <= end + GRACE:
            assert span.start == end
        else:
            assert span.start == bought_at
        assert span.end > span.start >= (end or span.start)
        end = span.end


@given(st.integers(1, 10**9), st.integers(1, 5), bps, bps, bps, bps, bps,
       st.sampled_from([None, "potential", "growing", "core"]),
       st.sampled_from(["none", "active", "expiring", "grace", "expired"]), st.integers(-400, 400),
       st.booleans(), st.data())
def test_a_quote_is_never_negative_nor_above_list_price(
        per_year, years, by_length, by_segment, early, win_back, other, segment, status, days_left,
        first_renewal, data):
    floor = data.draw(st.integers(1, per_year))
    prices = PriceList("CNY", per_year, (years,), {years: by_length},
                       {"potential": by_segment, "growing": other, "core": by_segment},
                       early, 60, win_back, other, floor)
    now = datetime(2030, 1, 1, tzinfo=UTC)
    found = quote(prices, years, segment, status, now + timedelta(days=days_left), now,
                  first_renewal=first_renewal)
    assert 0 <= found.price <= found.list_price == per_year * years
    assert found.discount_bps <= 10_000
    assert found.list_price - found.price >= found.list_price * found.discount_bps // 10_000


@given(moments, moments, st.sets(st.integers(1, 90), min_size=1, max_size=4),
       st.floats(0, 0.999))
def test_nothing_new_comes_due_before_next_due_and_something_does_at_it(end, now, offset_set, part):
    offsets = tuple(sorted(offset_set, reverse=True))
    upcoming = next_due(end, now, offsets)
    if upcoming is None:
        assert now >= end and due_offsets(end, now, offsets) == ()
        return
    between = now + (upcoming - now) * part
    assert due_offsets(end, between, offsets) == due_offsets(end, now, offsets)
    assert upcoming == end or due_offsets(end, upcoming, offsets) != due_offsets(end, now, offsets)
