"""A merchant's time zone in settings: an IANA name checked when the service starts, so a
typo stops the service with the setting's name instead of failing later on a member's day."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator


def known_zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {zone}") from error
    return zone


TimeZoneName = Annotated[str, AfterValidator(known_zone)]
