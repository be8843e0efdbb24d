"""Program setup, notification wordings (`ops:config`): a kind's message previewed in both
locales with the kind's sample facts, as in use or as a draft wording (the notifier's
`POST /v1/templates/{kind}/preview` with `draft`: nothing saved). The wordings themselves
are files of the notifier (`services/notifier/templates/<locale>/<kind>.j2`), versioned by
their digest, so a draft is changed there, not through an API."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from services.console.api.pages import Page, posted_form, signed_in
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

CONFIG = "ops:config"
LOCALES = ("zh-CN", "en")  # the notifier's template locales
# The notifier's message kinds (services/notifier/rules/kinds.py), named here because the
# console reaches the notifier only through its API.
KINDS = ("recharge_receipt", "bonus_receipt", "tier_upgraded", "renewal_reminder",
         "points_expired", "coupon_issued", "referral_qualified", "birthday_greeting",
         "monthly_statement", "we_miss_you", "win_back")


def setup_templates_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def shown(page: Page, kind: str, form: dict[str, str]) -> HTMLResponse:
        answers = await asyncio.gather(*(page.apis.post(
            page.session.user, "notifier", f"/v1/templates/{kind}/preview",
            {"locale": locale, **({"draft": form[f"draft_{locale}"]}
                                  if form.get(f"draft_{locale}", "").strip() else {})})
            for locale in LOCALES))
        errors = {f"draft_{locale}": a.problem.get("detail") or a.problem.get("code", "")
                  for locale, a in zip(LOCALES, answers, strict=True) if not a.ok}
        previews = [(locale, a.body) for locale, a in zip(LOCALES, answers, strict=True) if a.ok]
        return page.render("setup/templates.html", status=422 if errors else 200, kind=kind,
                           kinds=KINDS, locales=LOCALES, form=form, errors=errors,
                           previews=previews)

    @router.get("/setup/templates")
    async def templates(kind: str = KINDS[0], page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        return await shown(page, kind if kind in KINDS else KINDS[0], {})

    @router.post("/setup/templates")
    async def preview(page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        form = await posted_form(page)
        return await shown(page, form.get("kind", KINDS[0]), form)

    return router
