"""Scheduled reports, stored once each: the id is `<kind>-<period start>` and the table is
unique on (kind, period_start), so a rerun of the job or a second replica inserts nothing
and publishes nothing. The row and its `ScheduledReportPublished` commit together."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules import kpis as rules
from services.rewards.store import kpi_queries
from services.rewards.store.offers import json_value
from services.rewards.store.risk_report import risk_report
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import REPORTS_KEY, ReportFigure, ScheduledReportPublished
from shared.rule_violations import NotFound

Kind = Literal["daily", "weekly"]
EXISTS = text("SELECT 1 FROM scheduled_reports WHERE kind = :kind AND period_start = :start")
INSERT = text("""
    INSERT INTO scheduled_reports (report_id, kind, period_start, period_end, currency, body,
                                   created_at)
    VALUES (:report_id, :kind, :start, :end, :currency, CAST(:body AS jsonb), :now)
    ON CONFLICT DO NOTHING RETURNING report_id
""")
PAGE = text("""
    SELECT report_id, kind, period_start, period_end, currency, created_at
    FROM scheduled_reports
    WHERE (CAST(:after_at AS timestamptz) IS NULL OR (created_at, report_id) < (:after_at, :after_id))
    ORDER BY created_at DESC, report_id DESC LIMIT :limit
""")
ONE = text("""
    SELECT report_id, kind, period_start, period_end, currency, created_at, body
    FROM scheduled_reports WHERE report_id = :report_id
""")


async def produce(uow: UnitOfWork, kind: Kind, start: date, end: date, zone: ZoneInfo,
                  currency: str, now: datetime) -> str | None:
    """Make, store and announce the report of this kind and period unless it exists; the
    id of the report made, None when it already was."""
    db = uow.connection
    if (await db.execute(EXISTS, {"kind": kind, "start": start})).first():
        return None
    found = await kpi_queries.compute(db, start, end, zone)
    from_utc, to_utc = rules.day_bounds(start, end, zone)
    report_id = rules.report_id(kind, start)
    risk = await risk_report(db, from_utc, to_utc)
    figures = rules.headline_figures(found) + rules.risk_figures(risk)
    body = {"report_id": report_id, "kind": kind, "period_start": start.isoformat(),
            "period_end": end.isoformat(), "currency": currency,
            "figures": [{"name": n, "value": v, "unit": u} for n, v, u in figures],
            "kpis": [rules.kpi_body(k) for k in found],
            "risk": risk}
    made = (await db.execute(INSERT, {"report_id": report_id, "kind": kind, "start": start,
                                      "end": end, "currency": currency,
                                      "body": orjson.dumps(body).decode(), "now": now})).first()
    if made is None:  # another replica made it first, in a transaction that overlapped ours
        return None
    uow.emit(ScheduledReportPublished(
        occurred_at=now, member_id=REPORTS_KEY, report_id=report_id, kind=kind,
        period_start=start, period_end=end, currency=currency,
        figures=[ReportFigure(name=n, value=v, unit=u) for n, v, u in figures]))
    return report_id


async def reports_page(db: AsyncConnection, after: tuple[datetime, str] | None, limit: int
                       ) -> list[Mapping[str, Any]]:
    """Newest first, after the key (created_at, report_id)."""
    rows = await db.execute(PAGE, {"after_at": after[0] if after else None,
                                   "after_id": after[1] if after else "", "limit": limit})
    return [row._mapping for row in rows]


async def report(db: AsyncConnection, report_id: str) -> Mapping[str, Any]:
    row = (await db.execute(ONE, {"report_id": report_id})).first()
    if row is None:
        raise NotFound("report_not_found", f"No scheduled report {report_id}.")
    return {**row._mapping, "body": json_value(row.body)}
