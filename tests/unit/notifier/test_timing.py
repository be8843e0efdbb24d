"""Quiet hours in the member's zone, marketing caps and the retry backoff."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from services.notifier.rules.timing import Caps, QuietHours, backoff, day_start

NIGHT = QuietHours(time(21), time(8))
SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")


def test_in_the_evening_a_message_waits_for_the_next_morning_in_the_members_zone():
    # 14:30 UTC is 22:30 in Shanghai: quiet until 08:00 local, 00:00 UTC the next day.
    assert NIGHT.next_allowed(datetime(2027, 3, 1, 14, 30, tzinfo=UTC), SHANGHAI) == \
        datetime(2027, 3, 2, 0, 0, tzinfo=UTC)


def test_after_midnight_it_waits_for_the_same_morning():
    # 19:00 UTC is 03:00 in Shanghai.
    assert NIGHT.next_allowed(datetime(2027, 3, 1, 19, tzinfo=UTC), SHANGHAI) == \
        datetime(2027, 3, 2, 0, 0, tzinfo=UTC)


def test_in_the_day_it_goes_now_and_the_zone_decides_what_day_is():
    daytime_in_shanghai = datetime(2027, 3, 1, 3, tzinfo=UTC)  # 11:00 in Shanghai
    assert NIGHT.next_allowed(daytime_in_shanghai, SHANGHAI) is None
    # ... and 22:00 the evening before in New York.
    assert NIGHT.next_allowed(daytime_in_shanghai, NEW_YORK) == datetime(2027, 3, 1, 13, tzinfo=UTC)


def test_the_edges_quiet_from_start_open_from_end():
    assert NIGHT.quiet_at(time(21)) and NIGHT.quiet_at(time(7, 59))
    assert not NIGHT.quiet_at(time(8)) and not NIGHT.quiet_at(time(20, 59))
    assert not QuietHours(time(8), time(8)).quiet_at(time(3))
    daytime = QuietHours(time(12), time(14))
    assert daytime.quiet_at(time(13)) and not daytime.quiet_at(time(15))


def test_across_a_daylight_saving_change_the_morning_is_local():
    # New York springs forward on 2027-03-14: 08:00 local that day is 12:00 UTC.
    assert NIGHT.next_allowed(datetime(2027, 3, 14, 5, tzinfo=UTC), NEW_YORK) == \
        datetime(2027, 3, 14, 12, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)),
       st.sampled_from([SHANGHAI, NEW_YORK, ZoneInfo("Europe/London")]))
def test_a_deferred_message_lands_outside_quiet_hours_within_a_day(now, zone):
    later = NIGHT.next_allowed(now, zone)
    if later is None:
        assert not NIGHT.quiet_at(now.astimezone(zone).time())
    else:
        assert now < later <= now + timedelta(hours=12)
        assert not NIGHT.quiet_at(later.astimezone(zone).time())


def test_caps_count_the_day_and_the_week():
    caps = Caps(per_day=1, per_week=3)
    assert caps.allow(0, 0) and caps.allow(0, 2)
    assert not caps.allow(1, 1) and not caps.allow(0, 3)
    assert not Caps(0, 3).allow(0, 0)


def test_the_members_day_starts_at_local_midnight():
    assert day_start(datetime(2027, 3, 1, 17, tzinfo=UTC), SHANGHAI) == \
        datetime(2027, 3, 1, 16, tzinfo=UTC)


def test_backoff_doubles_and_is_bounded():
    assert [backoff(n, 30, 3600).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20, 30, 3600) == timedelta(hours=1)
