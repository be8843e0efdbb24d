"""Which birthdays are celebrated on a day (the birthday coupon). Pure."""

from __future__ import annotations

from datetime import date


def birthdays_on(day: date) -> list[str]:
    """MM-DD keys celebrated on `day`; 29 February is celebrated on the 28th in other years."""
    keys = [day.strftime("%m-%d")]
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    if (day.month, day.day) == (2, 28) and not leap:
        keys.append("02-29")
    return keys
