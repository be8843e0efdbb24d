"""Program setup, notification wordings (`ops:config`): a kind's message previewed in both
locales with the kind's sample facts, as in use or as a draft wording (the notifier's
`POST /v1/templates/{kind}/preview` with `draft`: nothing saved); after a preview, the
drafts saved as new versions (`POST /v1/templates/{kind}/versions`, one per locale with a
draft), the version history with who and when, and going back to the release's wording
(`POST /v1/templates/{kind}/revert`). The notifier refuses a wording that is not a
template, naming its line; the console shows that next to the locale's field."""

from __future__ import annotations

import asyncio
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.pages import Page, posted_form, signed_in
from services.console.platform_apis import Answer
from services.console.rules.form_values import shown_local
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

CONFIG = "ops:config"
LOCALES = ("zh-CN", "en")  # the notifier's template locales
# The notifier's message kinds (services/notifier/rules/kinds.py), named here because the
# console reaches the notifier only through its API.
KINDS = ("recharge_receipt", "bonus_receipt", "tier_upgraded", "renewal_reminder",
         "points_expired", "coupon_issued", "referral_qualified", "birthday_greeting",
         "monthly_statement", "we_miss_you", "win_back")


def problem_words(answer: Answer) -> str:
    return answer.problem.get("detail") or answer.problem.get("code", "")


def drafts_of(form: dict[str, str]) -> dict[str, str]:
    return {locale: form[f"draft_{locale}"] for locale in LOCALES
            if form.get(f"draft_{locale}", "").strip()}


def setup_templates_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    zone = ZoneInfo(context.settings.timezone)

    async def shown(page: Page, kind: str, form: dict[str, str],
                    errors: dict[str, str] | None = None) -> HTMLResponse:
        drafts = drafts_of(form)
        answers = await asyncio.gather(*(page.apis.post(
            page.session.user, "notifier", f"/v1/templates/{kind}/preview",
            {"locale": locale, **({"draft": drafts[locale]} if locale in drafts else {})})
            for locale in LOCALES))
        errors = errors or {f"draft_{locale}": problem_words(a)
                            for locale, a in zip(LOCALES, answers, strict=True) if not a.ok}
        previews = [(locale, a.body) for locale, a in zip(LOCALES, answers, strict=True) if a.ok]
        history = await page.apis.get(page.session.user, "notifier",
                                      f"/v1/templates/{kind}/versions", {"limit": 20})
        return page.render("setup/templates.html", status=422 if errors else 200, kind=kind,
                           kinds=KINDS, locales=LOCALES, form=form, errors=errors,
                           previews=previews, versions=history.body["items"] if history.ok else [],
                           local=lambda moment: shown_local(moment, zone).replace("T", " "),
                           # Save only once both locales were previewed with the drafts shown
                           can_save=bool(drafts) and not errors and len(previews) == len(LOCALES))

    async def saved(page: Page, kind: str, form: dict[str, str]) -> Response:
        errors = {}
        for locale, draft in drafts_of(form).items():
            subject, _, body = draft.strip().partition("\n")
            answer = await page.apis.post(page.session.user, "notifier",
                                          f"/v1/templates/{kind}/versions",
                                          {"locale": locale, "subject": subject, "body": body})
            if not answer.ok:
                errors[f"draft_{locale}"] = problem_words(answer)
        if errors:
            return await shown(page, kind, form, errors)
        return RedirectResponse(f"/setup/templates?kind={quote(kind)}&saved=1", status_code=303)

    async def reverted(page: Page, kind: str, locale: str) -> Response:
        answer = await page.apis.post(page.session.user, "notifier", f"/v1/templates/{kind}/revert",
                                      {"locale": locale})
        if not answer.ok:
            return await shown(page, kind, {}, {f"draft_{locale}": problem_words(answer)})
        return RedirectResponse(f"/setup/templates?kind={quote(kind)}&reverted={quote(locale)}",
                                status_code=303)

    @router.get("/setup/templates")
    async def templates(kind: str = KINDS[0], page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        return await shown(page, kind if kind in KINDS else KINDS[0], {})

    @router.post("/setup/templates")
    async def posted(page: Page = Depends(signed_in)) -> Response:
        page.require(CONFIG)
        form = await posted_form(page)
        kind = form.get("kind", KINDS[0]) if form.get("kind") in KINDS else KINDS[0]
        action = form.get("action", "preview")
        if action == "save":
            return await saved(page, kind, form)
        if action.startswith("revert:") and action.removeprefix("revert:") in LOCALES:
            return await reverted(page, kind, action.removeprefix("revert:"))
        return await shown(page, kind, form)

    return router
