"""An injectable clock, so tests and demos can run a year in seconds.

Code that needs "now" takes a `Clock`; nothing calls `datetime.now()` directly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


class TravellingClock:
    """The system's time, moved forward on demand: `patronage dev` runs on one, so
    `patronage tick --until <date>` can make a month pass in seconds (reminders, reviews,
    expiries) while everything else keeps ticking in real time. It never goes back: events
    already written stay in order."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def travel_to(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("travel_to needs an aware datetime")
        self._offset = max(self._offset, moment - datetime.now(UTC))
        return self.now()
