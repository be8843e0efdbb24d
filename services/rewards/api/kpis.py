"""The program's KPIs (`ops:report`): `GET /v1/kpis` (all of them) and `GET /v1/kpis/{name}`
(one), for local days [from, to] (both included; the merchant's time zone), optionally one
store and one segment; JSON, or CSV with `Accept: text/csv` or `?format=csv`. What each KPI
means is docs/kpis.md."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from services.rewards.rules import kpis as rules
from services.rewards.settings import RewardsSettings
from services.rewards.store import kpi_queries
from shared.http.auth import Caller, require_scope
from shared.http.ids import ID_PATTERN, MAX_LENGTH, PathId
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

FilterId = Annotated[str | None, Query(min_length=1, max_length=MAX_LENGTH, pattern=ID_PATTERN)]
Format = Annotated[Literal["json", "csv"] | None, Query(
    description="csv: the same as `Accept: text/csv`.")]
# The 200 of a KPI route is JSON or CSV (the schemathesis test checks the content types).
CSV_OR_JSON = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


def wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def csv_response(rows: list[list[object]], filename: str) -> Response:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})


def kpis_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/kpis", tags=["kpis"], responses=PROBLEM_RESPONSES)

    async def answer(request: Request, caller: Caller, start: date, end: date,
                     store_id: str | None, segment_id: str | None, format: str | None,
                     only: str | None) -> object:
        require_scope(caller, "ops:report")
        if only is not None:
            rules.kpi_unit(only)  # 404 kpi_not_found before any query
        async with context.engine.connect() as db:
            found = await kpi_queries.compute(db, start, end, context.settings.zone(),
                                              store_id, segment_id)
        found = [k for k in found if only is None or k.name == only]
        if wants_csv(request, format):
            return csv_response(rules.csv_rows(found), f"kpis-{start}-{end}")
        return {"from": start, "to": end, "store_id": store_id, "segment_id": segment_id,
                "currency": context.settings.report_currency,
                "kpis": [rules.kpi_body(k) for k in found]}

    @router.get("", summary="Every KPI for a period, store and segment (ops:report)",
                responses=CSV_OR_JSON)
    async def all_kpis(request: Request, caller: Caller,
                       start: Annotated[date, Query(alias="from")],
                       end: Annotated[date, Query(alias="to")],
                       store_id: FilterId = None, segment_id: FilterId = None,
                       format: Format = None) -> object:
        return await answer(request, caller, start, end, store_id, segment_id, format, None)

    @router.get("/{name}", summary="One KPI for a period, store and segment (ops:report)",
                responses=CSV_OR_JSON)
    async def one_kpi(name: PathId, request: Request, caller: Caller,
                      start: Annotated[date, Query(alias="from")],
                      end: Annotated[date, Query(alias="to")],
                      store_id: FilterId = None, segment_id: FilterId = None,
                      format: Format = None) -> object:
        return await answer(request, caller, start, end, store_id, segment_id, format, name)

    return router
