"""Scheduled reports and ops recipients for the notifier's tests: a report as rewards
publishes it, and adding a recipient over the API."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import httpx

from shared.events.rewards import ReportFigure, ScheduledReportPublished

RECIPIENTS = "/v1/ops-recipients"
# A report is about no member: keyed by a constant, as other events about no member are.
REPORTS_KEY = "_reports"


def weekly_report(at: datetime, report_id: str = "rpt_weekly_2027_09") -> ScheduledReportPublished:
    return ScheduledReportPublished(
        member_id=REPORTS_KEY, occurred_at=at, event_id=uuid.uuid4(), report_id=report_id,
        kind="weekly", period_start=date(2027, 2, 22), period_end=date(2027, 2, 28),
        currency="CNY", figures=[
            ReportFigure(name="recharge_volume", value=12_345_600, unit="minor_units"),
            ReportFigure(name="renewal_rate", value=7_250, unit="bps"),
            ReportFigure(name="bonus_held", value=3, unit="count"),
            ReportFigure(name="bonus_held_amount", value=150_000, unit="minor_units")])


async def add_recipient(client: httpx.AsyncClient, email: str, locale: str,
                        kinds: list[str], **more: object) -> dict:
    response = await client.post(RECIPIENTS, json={"email": email, "locale": locale,
                                                   "report_kinds": kinds, **more})
    assert response.status_code == 201, response.text
    return response.json()
