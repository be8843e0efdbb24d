"""Program setup, tiers and referrals (`ops:config`): the tier thresholds and benefits
(tiering's `POST /v1/tiers/rules`, a new rules version) and the referral rules (referral's
`POST /v1/programs`, a new program version), each form starting from the version in force.
Both show their versions' history: who published each one (and, for tiers, when)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.pages import Page, posted_form, signed_in
from services.console.rules.form_values import shown_local
from services.console.rules.offer_drafts import problem_fields
from services.console.rules.program_drafts import (
    MEASURES,
    QUALIFIES_ON,
    referral_form,
    referral_from_form,
    tier_form,
    tiers_from_form,
)
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

CONFIG = "ops:config"


def setup_programs_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    currency = context.settings.currency
    zone = ZoneInfo(context.settings.timezone)

    async def rules_in_force(page: Page) -> dict[str, Any]:
        answer = await page.apis.get(page.session.user, "tiering", "/v1/tiers")
        return answer.body if answer.ok else {"version": None, "measure": "spend_12m", "tiers": []}

    async def tiers_page(page: Page, form: dict[str, str] | None, errors: dict[str, str],
                         problem: dict | None = None, status: int = 200) -> HTMLResponse:
        rules = await rules_in_force(page)
        history = await page.apis.get(page.session.user, "tiering", "/v1/tiers/rules")
        return page.render("setup/tiers.html", status=status, rules=rules,
                           versions=history.body["items"] if history.ok else [],
                           local=lambda moment: shown_local(moment, zone).replace("T", " "),
                           form=form if form is not None else tier_form(rules), errors=errors,
                           problem=problem, rows=range(len(rules["tiers"]) + 1),
                           measures=MEASURES, currency=currency,
                           published=page.request.query_params.get("published"))

    @router.get("/setup/tiers")
    async def tiers(page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        return await tiers_page(page, None, {})

    @router.post("/setup/tiers")
    async def publish_tiers(page: Page = Depends(signed_in)) -> Response:
        page.require(CONFIG)
        form = await posted_form(page)
        rules = await rules_in_force(page)
        draft = tiers_from_form(form, len(rules["tiers"]) + 1, rules["tiers"])
        if draft.errors:
            return await tiers_page(page, form, draft.errors, status=422)
        answer = await page.apis.post(page.session.user, "tiering", "/v1/tiers/rules", draft.body)
        if not answer.ok:
            return await tiers_page(page, form, problem_fields("tiers", answer.problem),
                                    answer.problem, answer.status)
        return RedirectResponse(f"/setup/tiers?published={answer.body['version']}", status_code=303)

    async def programs(page: Page) -> list[dict[str, Any]]:
        answer = await page.apis.get(page.session.user, "referral", "/v1/programs")
        return sorted(answer.body, key=lambda p: p["version"]) if answer.ok else []

    async def referral_page(page: Page, form: dict[str, str] | None, errors: dict[str, str],
                            problem: dict | None = None, status: int = 200) -> HTMLResponse:
        versions = await programs(page)
        current = versions[-1] if versions else {}
        return page.render("setup/referral.html", status=status, versions=list(reversed(versions)),
                           form=form if form is not None else referral_form(current),
                           errors=errors, problem=problem, qualifies_on=QUALIFIES_ON,
                           currency=currency,
                           published=page.request.query_params.get("published"))

    @router.get("/setup/referral")
    async def referral(page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        return await referral_page(page, None, {})

    @router.post("/setup/referral")
    async def publish_referral(page: Page = Depends(signed_in)) -> Response:
        page.require(CONFIG)
        form = await posted_form(page)
        versions = await programs(page)
        draft = referral_from_form(form, versions[-1] if versions else {}, currency)
        if draft.errors:
            return await referral_page(page, form, draft.errors, status=422)
        answer = await page.apis.post(page.session.user, "referral", "/v1/programs", draft.body)
        if not answer.ok:
            return await referral_page(page, form, problem_fields("referral", answer.problem),
                                       answer.problem, answer.status)
        return RedirectResponse(f"/setup/referral?published={answer.body['version']}",
                                status_code=303)

    return router
