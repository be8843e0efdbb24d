"""When a message may go out: quiet hours in the member's time zone, marketing caps, and
the backoff between delivery attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """Local times between which nothing is sent; `start > end` spans midnight (21:00-08:00)."""

    start: time
    end: time

    def quiet_at(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """None if a message may go out at `now`; else the first moment after the quiet
        hours, in UTC terms of `now` (deferred, never dropped)."""
        local = now.astimezone(zone)
        if not self.quiet_at(local.time()):
            return None
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=zone).astimezone(now.tzinfo)


@dataclass(frozen=True)
class Caps:
    """Marketing messages per member: at most `per_day` in the member's calendar day and
    `per_week` in the last seven days."""

    per_day: int
    per_week: int

    def allow(self, sent_today: int, sent_this_week: int) -> bool:
        return sent_today < self.per_day and sent_this_week < self.per_week


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Midnight of the member's current day, as an aware datetime."""
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone)


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: base, 2x, 4x ... capped."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))
