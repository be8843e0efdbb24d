"""Which day owes which scheduled message."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services.notifier.rules.schedules import month_of, quiet_since, statement_month

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_statement_of_the_previous_month_goes_out_on_its_day_or_the_months_last():
    assert statement_month(date(2027, 3, 15), 15) == "2027-02"
    assert statement_month(date(2027, 3, 14), 15) is None
    assert statement_month(date(2027, 1, 15), 15) == "2026-12"
    assert statement_month(date(2027, 2, 28), 31) == "2027-01"
    assert statement_month(date(2027, 3, 28), 31) is None
    assert statement_month(date(2027, 3, 31), 31) == "2027-02"


def test_months_and_quiet_spells_are_the_merchants_days():
    assert month_of(datetime(2027, 2, 28, 17, tzinfo=UTC), SHANGHAI) == "2027-03"
    assert month_of(datetime(2027, 2, 28, 15, tzinfo=UTC), SHANGHAI) == "2027-02"
    assert quiet_since(date(2027, 3, 3), SHANGHAI, 60) == datetime(2027, 1, 2, tzinfo=SHANGHAI)
