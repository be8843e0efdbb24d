"""Which birthdays tiering announces on a day."""

from __future__ import annotations

from datetime import date

from services.tiering.rules.birthdays import birthdays_on


def test_29_february_is_celebrated_on_the_28th_in_a_common_year_only():
    assert birthdays_on(date(2027, 2, 28)) == ("02-28", "02-29")
    assert birthdays_on(date(2028, 2, 28)) == ("02-28",)
    assert birthdays_on(date(2028, 2, 29)) == ("02-29",)
    assert birthdays_on(date(2027, 3, 1)) == ("03-01",)
