"""Renewal price lists refused with a stable code naming the figure at fault, stored as
JSON and read back unchanged, and previewed per length x segment x status."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.tiering.rules.quotes import InvalidPriceList
from services.tiering.rules.renewal_previews import preview_rows
from services.tiering.settings import TieringSettings
from services.tiering.store.renewal_prices import prices_from_json, prices_to_json

DEFAULTS = TieringSettings().price_list()
NOW = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"lengths": (1, 1)}, "renewal_lengths_invalid", "lengths"),
    ({"lengths": ()}, "renewal_lengths_invalid", "lengths"),
    ({"length_bps": {1: 1000, 2: 1000}}, "longer_term_not_cheaper", "length_bps.2"),
    ({"lengths": (1, 2, 3), "length_bps": {1: 1000, 2: 2000, 3: 1500}},
     "longer_term_not_cheaper", "length_bps.3"),
    ({"segment_bps": {"core": 10_000}}, "renewal_discount_out_of_range", "segment_bps.core"),
    ({"win_back_bps": -1}, "renewal_discount_out_of_range", "win_back_bps"),
    ({"floor_per_year": 0}, "renewal_floor_out_of_range", "floor_per_year"),
    ({"floor_per_year": 36_001}, "renewal_floor_out_of_range", "floor_per_year"),
    ({"length_bps": {1: 1000, 2: 1001}, "floor_per_year": 9_999}, "renewal_floor_too_low",
     "floor_per_year"),
])
def test_a_price_list_is_refused_with_a_code_and_the_figure(change, code, field):
    with pytest.raises(InvalidPriceList) as refused:
        replace(DEFAULTS, **change)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert isinstance(refused.value, ValueError)  # the settings still refuse it at start


def test_a_floor_just_high_enough_for_the_smallest_step_is_accepted():
    assert replace(DEFAULTS, length_bps={1: 1000, 2: 1001}, floor_per_year=10_000)


def test_a_stored_version_reads_back_as_the_same_price_list():
    stored = prices_to_json(DEFAULTS)
    assert "currency" not in stored and stored["length_bps"] == {"1": 1000, "2": 2000}
    assert prices_from_json(stored, "CNY") == DEFAULTS
    assert prices_from_json(stored, "HKD").currency == "HKD"


def test_a_preview_quotes_every_length_segment_and_status_with_both_lists():
    draft = replace(DEFAULTS, price_per_year=40_000, lengths=(1, 2, 3),
                    length_bps={1: 1000, 2: 2000, 3: 3000})
    rows = preview_rows(DEFAULTS, draft, NOW)
    assert len(rows) == 3 * 3 * 5
    first = next(r for r in rows if (r["years"], r["segment"], r["status"]) == (1, "potential", "none"))
    assert (first["current"]["price"], first["draft"]["price"]) == (25_920, 28_800)
    three = [r for r in rows if r["years"] == 3]
    assert all(r["current"] is None for r in three)  # the version in force has no 3 years
    active = next(r for r in rows if (r["years"], r["segment"], r["status"]) == (1, "core", "active"))
    # a year left: early renewal (15 %) after core (40 %): 40,000 x 0.6 x 0.85 = 20,400, x 0.9
    assert (active["draft"]["price"], active["draft"]["offer"]) == (18_360, "segment")
    expired = next(r for r in rows if (r["years"], r["status"]) == (1, "expired")
                   and r["segment"] == "potential")
    # win-back (25 %) on top of the segment: 40,000 x 0.8 x 0.75 = 24,000 a year, x 0.9
    assert expired["draft"]["price"] == 21_600
