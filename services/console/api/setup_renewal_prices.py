"""Program setup, renewal prices (`ops:config`): tiering's renewal price version in force
as a form (amounts in yuan, discounts in percent), a preview of the draft's quotes beside
those in force (`POST /v1/renewal-prices/preview`: nothing saved), publishing it as a new
version (`POST /v1/renewal-prices`), and every version with who published it and when. The
API's refusals (e.g. `longer_term_not_cheaper`) are shown next to the field they name."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.pages import Page, posted_form, signed_in
from services.console.rules.form_values import shown_local
from services.console.rules.renewal_price_drafts import (
    SEGMENTS,
    renewal_form,
    renewal_from_form,
    renewal_problem_fields,
)
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

CONFIG = "ops:config"
PATH = "/v1/renewal-prices"


def renewal_prices_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    zone = ZoneInfo(context.settings.timezone)

    async def versions(page: Page) -> tuple[list[dict[str, Any]], dict | None]:
        answer = await page.apis.get(page.session.user, "tiering", PATH)
        return (answer.body["items"], None) if answer.ok else ([], answer.problem)

    async def prices_page(page: Page, form: dict[str, str] | None, errors: dict[str, str],
                          preview: dict | None = None, problem: dict | None = None,
                          status: int = 200) -> HTMLResponse:
        history, unavailable = await versions(page)
        current = history[0] if history else None
        if form is None:
            form = renewal_form(current) if current else {}
        return page.render(
            "setup/renewal_prices.html", status=status, current=current, versions=history,
            form=form, errors=errors, preview=preview, problem=problem or unavailable,
            segments=SEGMENTS, lengths=current["lengths"] if current else [],
            currency=current["currency"] if current else context.settings.currency,
            published=page.request.query_params.get("published"),
            local=lambda moment: shown_local(moment, zone).replace("T", " "))

    @router.get("/setup/renewal-prices")
    async def renewal_prices(page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        return await prices_page(page, None, {})

    @router.post("/setup/renewal-prices")
    async def change(page: Page = Depends(signed_in)) -> Response:
        page.require(CONFIG)
        form = await posted_form(page)
        history, unavailable = await versions(page)
        if not history:
            return await prices_page(page, form, {}, problem=unavailable, status=503)
        draft = renewal_from_form(form, history[0]["lengths"])
        if draft.errors:
            return await prices_page(page, form, draft.errors, status=422)
        preview = form.get("action") == "preview"
        answer = await page.apis.post(page.session.user, "tiering",
                                      f"{PATH}/preview" if preview else PATH, draft.body)
        if not answer.ok:
            return await prices_page(page, form, renewal_problem_fields(answer.problem),
                                     problem=answer.problem, status=answer.status)
        if preview:
            return await prices_page(page, form, {}, preview=answer.body)
        return RedirectResponse(f"/setup/renewal-prices?published={answer.body['version']}",
                                status_code=303)

    return router
