"""The pieces of dev time travel that need no platform: the clock only moves forward, and
`--until` is a day or a moment with an offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from patronage.time_machine import moment_of
from shared.clock import TravellingClock
from shared.http.problems import Problem


def test_the_travelling_clock_runs_in_real_time_and_jumps_only_forward():
    clock = TravellingClock()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    target = datetime.now(UTC) + timedelta(days=30)
    assert clock.travel_to(target) >= target
    clock.travel_to(target - timedelta(days=10))  # back in time: ignored
    assert clock.now() >= target
    with pytest.raises(ValueError):
        clock.travel_to(datetime(2027, 1, 1))


@pytest.mark.parametrize(("text", "expected"), [
    ("2027-01-15", datetime(2027, 1, 15, tzinfo=UTC)),
    ("2027-01-15T09:00:00+08:00", datetime(2027, 1, 15, 1, tzinfo=UTC)),
])
def test_until_is_a_day_or_a_moment_with_its_offset(text, expected):
    assert moment_of(text) == expected


@pytest.mark.parametrize("text", ["2027-01-15T09:00:00", "next week", "2027-13-01"])
def test_until_without_an_offset_or_unreadable_is_refused(text):
    with pytest.raises(Problem) as refused:
        moment_of(text)
    assert refused.value.status == 422
