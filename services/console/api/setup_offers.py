"""Program setup, the recharge offers (`ops:config`): the offers live now, and per offer a
form that starts from its newest version, previews a draft on a sample recharge (rewards'
`POST /v1/offers/preview`: nothing saved) and publishes it as a new version (`POST
/v1/offers/{offer_id}/versions`); the version history shows who changed it and when."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.pages import Page, posted_form, signed_in
from services.console.rules.form_values import shown_local
from services.console.rules.offer_drafts import (
    RECHARGE_KINDS,
    RUNGS,
    SEGMENTS,
    WEEKDAYS,
    draft_from_form,
    form_from_version,
    problem_fields,
    sample_from_form,
)
from services.console.settings import ConsoleSettings
from shared.http.ids import PathId
from shared.service import ServiceContext

CONFIG = "ops:config"
NEW = "new"  # /setup/offers/new: a campaign whose offer id is typed into the form
DEFAULT_SAMPLE = {"sample_amount": "500", "sample_lifetime": "0"}


def preview_rows(preview: dict[str, Any]) -> list[tuple[str, int | None, int | None]]:
    """One row per rule in either quote: its name, the published amount, the draft's."""
    names: dict[str, str] = {}
    amounts: dict[str, list[int | None]] = {}
    for column, quote in enumerate((preview["published"], preview["draft"])):
        for rule in quote["rules"]:
            names.setdefault(rule["offer_id"], rule["name"])
            amounts.setdefault(rule["offer_id"], [None, None])[column] = rule["amount"]
    return [(names[key], *amounts[key]) for key in names]  # type: ignore[misc]


def setup_offers_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    settings = context.settings
    zone = ZoneInfo(settings.timezone)

    async def tiers(page: Page) -> list[str]:
        answer = await page.apis.get(page.session.user, "tiering", "/v1/tiers")
        return [tier["name"] for tier in answer.body["tiers"]] if answer.ok else []

    async def offer_page(page: Page, offer_id: str, kind: str | None, form: dict[str, str] | None,
                         errors: dict[str, str], preview: dict | None = None,
                         problem: dict | None = None, status: int = 200) -> HTMLResponse:
        versions: list[dict] = []
        if offer_id != NEW:
            answer = await page.apis.get(page.session.user, "rewards",
                                         f"/v1/offers/{offer_id}/versions")
            versions = answer.body["items"] if answer.ok else []
        newest = versions[-1] if versions else None
        kind = newest["kind"] if newest else (kind if kind in RECHARGE_KINDS else "campaign")
        if form is None:
            form = {**DEFAULT_SAMPLE, **(form_from_version(newest, zone) if newest else {})}
        published = page.request.query_params.get("published")
        return page.render(
            "setup/offer.html", status=status, offer_id=offer_id, kind=kind, form=form,
            errors=errors, versions=list(reversed(versions)), preview=preview,
            preview_rows=preview_rows(preview) if preview else [], problem=problem,
            tiers=await tiers(page), rungs=range(RUNGS), weekdays=WEEKDAYS, segments=SEGMENTS,
            published=published, currency=settings.currency,
            local=lambda moment: shown_local(moment, zone).replace("T", " "))

    @router.get("/setup")
    async def overview(page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        answer = await page.apis.get(page.session.user, "rewards", "/v1/offers/live",
                                     {"currency": settings.currency})
        offers = [o for o in (answer.body or {}).get("items", []) if o["kind"] in RECHARGE_KINDS]
        return page.render("setup/index.html", offers=offers, problem=answer.problem,
                           currency=settings.currency)

    @router.get("/setup/offers/{offer_id}")
    async def offer(offer_id: PathId, kind: str | None = None,
                    page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require(CONFIG)
        return await offer_page(page, offer_id, kind, None, {})

    @router.post("/setup/offers/{offer_id}")
    async def change(offer_id: PathId, page: Page = Depends(signed_in)) -> Response:
        page.require(CONFIG)
        form = await posted_form(page)
        kind = form.get("kind", "")
        if kind not in RECHARGE_KINDS:
            return await offer_page(page, offer_id, None, form, {"name": "required"}, status=422)
        target = form.get("offer_id", "").strip() if offer_id == NEW else offer_id
        draft = draft_from_form(kind, form, settings.currency, zone)
        if not target:
            draft.errors["offer_id"] = "required"
        if form.get("action") == "preview":
            sample = sample_from_form(form)
            draft.errors.update(sample.errors)
            if draft.errors:
                return await offer_page(page, offer_id, kind, form, draft.errors, status=422)
            answer = await page.apis.post(page.session.user, "rewards", "/v1/offers/preview", {
                "currency": settings.currency, "drafts": [{"offer_id": target, **draft.body}],
                "recharge": sample.body})
            if not answer.ok:
                return await offer_page(page, offer_id, kind, form,
                                        problem_fields(kind, answer.problem),
                                        problem=answer.problem, status=answer.status)
            return await offer_page(page, offer_id, kind, form, {}, preview=answer.body)
        if draft.errors:
            return await offer_page(page, offer_id, kind, form, draft.errors, status=422)
        answer = await page.apis.post(page.session.user, "rewards",
                                      f"/v1/offers/{target}/versions", draft.body)
        if not answer.ok:
            return await offer_page(page, offer_id, kind, form, problem_fields(kind, answer.problem),
                                    problem=answer.problem, status=answer.status)
        return RedirectResponse(f"/setup/offers/{target}?published={answer.body['version']}",
                                status_code=303)

    return router
