"""Which birthdays are celebrated on a day. Pure."""

from __future__ import annotations

import calendar
from datetime import date


def birthdays_on(day: date) -> tuple[str, ...]:
    """The MM-DD birthdays celebrated on `day`; 29 February is celebrated on the 28th in a
    year without one, so every member has a birthday every year."""
    today = day.strftime("%m-%d")
    if today == "02-28" and not calendar.isleap(day.year):
        return (today, "02-29")
    return (today,)
