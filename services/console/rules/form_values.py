"""What staff type into a setup form, read as the APIs' values: amounts in major units
("100", "99.50") as integer minor units, percentages and multipliers as basis points,
local dates and times as moments in the merchant's zone. Pure: text in, value or a word
key out (shown next to the field), never a float near money."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

DECIMAL = re.compile(r"^(\d{1,12})(?:\.(\d{1,2}))?$")
PERCENT = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?$")
MULTIPLIER = re.compile(r"^(\d{1,2})(?:\.(\d{1,4}))?$")


class Unreadable(ValueError):
    """The text is not a value of the field's kind; `word` is the message's word key."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def minor_units(text: str) -> int:
    """"1,234.5" → 123450 (two decimals: the currencies the console shows)."""
    found = DECIMAL.match(text.strip().replace(",", ""))
    if not found:
        raise Unreadable("amount_unreadable")
    return int(found[1]) * 100 + int((found[2] or "").ljust(2, "0"))


def percent_bps(text: str) -> int:
    """"5" → 500, "12.5" → 1250; at most 100 %."""
    found = PERCENT.match(text.strip().rstrip("%").strip())
    if not found:
        raise Unreadable("percent_unreadable")
    bps = int(found[1]) * 100 + int((found[2] or "").ljust(2, "0"))
    if bps > 10_000:
        raise Unreadable("percent_unreadable")
    return bps


def multiplier_bps(text: str) -> int:
    """"2" → 20000, "1.5" → 15000 (x1 to x10)."""
    found = MULTIPLIER.match(text.strip().lstrip("xX×").strip())
    if not found:
        raise Unreadable("multiplier_unreadable")
    bps = int(found[1]) * 10_000 + int((found[2] or "").ljust(4, "0"))
    if not 10_000 <= bps <= 100_000:
        raise Unreadable("multiplier_unreadable")
    return bps


def local_moment(text: str, zone: ZoneInfo) -> datetime:
    """A browser's datetime-local ("2026-12-01T00:00") in the merchant's zone."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Unreadable("moment_unreadable") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone)


def shown_major(minor: int) -> str:
    """The inverse of `minor_units`, for a form's value: 123450 → "1234.50"."""
    units, cents = divmod(minor, 100)
    return f"{units}" if cents == 0 else f"{units}.{cents:02d}"


def shown_percent(bps: int) -> str:
    whole, part = divmod(bps, 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}".rstrip("0")


def shown_multiplier(bps: int) -> str:
    whole, part = divmod(bps, 10_000)
    return f"{whole}" if part == 0 else f"{whole}.{part:04d}".rstrip("0")


def shown_local(moment: datetime | str | None, zone: ZoneInfo) -> str:
    """A moment as a datetime-local field's value in the merchant's zone."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
