"""The scheduled reports (`ops:report`), as the leader-locked job stored them
(jobs/scheduled_reports.py): the list, newest first and paged, and one report whole (its
headline figures, every KPI and the risk report), as JSON or as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.rewards.api.kpis import CSV_OR_JSON, Format, csv_response, wants_csv
from services.rewards.rules import kpis as rules
from services.rewards.settings import RewardsSettings
from services.rewards.store import scheduled_reports
from shared.http.auth import Caller, require_scope
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, cursor_moment, decode_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def report_csv(body: dict) -> list[list[object]]:
    """The KPIs' rows, then the risk report's as `risk.<figure>` rows."""
    rows = rules.csv_rows([rules.kpi_from_body(k) for k in body["kpis"]])
    rows += [[f"risk.{name}", "", "" if value is None else value, "", "", ""]
             for name, value in body["risk"].items()]
    return rows


def scheduled_reports_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/reports/scheduled", tags=["reports"],
                       responses=PROBLEM_RESPONSES)

    @router.get("", summary="The daily and weekly reports made so far, newest first (ops:report)")
    async def reports(caller: Caller, limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, "ops:report")
        key = decode_cursor(cursor, 2)
        after = (cursor_moment(key[0]), str(key[1])) if key else None
        async with context.engine.connect() as db:
            rows = await scheduled_reports.reports_page(db, after, limit + 1)
        return page([dict(row) for row in rows], limit,
                    lambda row: (row["created_at"].isoformat(), row["report_id"]))

    @router.get("/{report_id}", summary="One scheduled report, as JSON or CSV (ops:report)",
                responses=CSV_OR_JSON)
    async def report(report_id: PathId, request: Request, caller: Caller,
                     format: Format = None) -> object:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            row = await scheduled_reports.report(db, report_id)
        if wants_csv(request, format):
            return csv_response(report_csv(row["body"]), report_id)
        return {**row["body"], "created_at": row["created_at"]}

    return router
