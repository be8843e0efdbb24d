"""The Reports page (`ops:report`): rewards' scheduled daily and weekly reports, newest
first and paged (`GET /v1/reports/scheduled`), one report's figures (every KPI and the risk
report) and its CSV, passed through from rewards as rewards made it. A refusal (an unknown
report, a stale cursor) is shown in words with the API's status."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from services.console.api.pages import Page, signed_in
from services.console.platform_apis import Answer
from services.console.rules.report_figures import report_kpis, risk_rows
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

REPORTS_PER_PAGE = 20


def refusal(answer: Answer) -> tuple[str, str]:
    """The word key for a refusal (404 is the report's absence) and the API's detail."""
    code = str(answer.problem.get("code") or "")
    key = "report_not_found" if code == "report_not_found" else "service_unavailable" \
        if answer.status >= 500 else "figure_unavailable"
    return key, str(answer.problem.get("detail") or code or answer.status)


def reports_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/reports")
    async def reports(cursor: str = "", page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require("ops:report")
        params: dict[str, object] = {"limit": REPORTS_PER_PAGE}
        if cursor:
            params["cursor"] = cursor
        listed = await page.apis.get(page.session.user, "rewards", "/v1/reports/scheduled",
                                     params)
        if not listed.ok:
            error, detail = refusal(listed)
            return page.render("reports.html", status=listed.status, items=[], error=error,
                               detail=detail)
        return page.render("reports.html", items=listed.body["items"],
                           next_cursor=listed.body.get("next_cursor"))

    @router.get("/reports/{report_id}")
    async def report(report_id: str, page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require("ops:report")
        found = await page.apis.get(page.session.user, "rewards",
                                    f"/v1/reports/scheduled/{report_id}")
        if not found.ok:
            error, detail = refusal(found)
            return page.render("report.html", status=found.status, report=None, error=error,
                               detail=detail, report_id=report_id)
        return page.render("report.html", report=found.body, report_id=report_id,
                           kpis=report_kpis(found.body), risk=risk_rows(found.body))

    @router.get("/reports/{report_id}/csv")
    async def report_csv(report_id: str, page: Page = Depends(signed_in)) -> Response:
        page.require("ops:report")
        status, content, content_type = await page.apis.download(
            page.session.user, "rewards", f"/v1/reports/scheduled/{report_id}",
            {"format": "csv"})
        if status != 200:
            problem = Answer(status, problem={"code": "report_not_found"} if status == 404
                             else {"code": str(status)})
            error, detail = refusal(problem)
            return page.render("report.html", status=status, report=None, error=error,
                               detail=detail, report_id=report_id)
        # rewards answered 200 for this id, so it is one of its ids (letters, digits, -_.)
        return Response(content, media_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="{report_id}.csv"'})

    return router
