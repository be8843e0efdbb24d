"""Ops actions on the member page, each behind its scope and decided by the owning API:
freezing and unfreezing the wallet (`ops:risk`) and a wallet adjustment (`ops:adjust`).
The form carries an idempotency key made when the page was drawn, so a form sent twice
(a double click, a reload) moves nothing twice."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import RedirectResponse, Response

from services.console.api.members import member_page
from services.console.api.pages import Page, posted_form, signed_in
from services.console.platform_apis import Answer
from services.console.rules.amounts import parse_amount
from services.console.settings import ConsoleSettings
from shared.rule_violations import RuleViolation
from shared.service import ServiceContext

FREEZES = ("freeze", "unfreeze")


def member_actions_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    currency = context.settings.currency

    async def outcome(page: Page, member_id: str, answer: Answer, form: dict[str, str],
                      field: str, done: str) -> Response:
        if answer.ok:
            return RedirectResponse(f"/members/{quote(member_id, safe='')}?done={done}",
                                    status_code=303)
        errors = answer.field_errors() or {field: answer.problem.get("detail")
                                           or f"{answer.status}"}
        if field == "adjust_reason" and "reason" in errors:  # the adjustment form's own field
            errors["adjust_reason"] = errors.pop("reason")
        return await member_page(page, member_id, currency, status=answer.status,
                                 errors=errors, typed=form)

    @router.post("/members/{member_id}/{action}")
    async def freeze(member_id: str, action: str, page: Page = Depends(signed_in)) -> Response:
        if action not in (*FREEZES, "adjustments"):
            raise HTTPException(404)
        form = await posted_form(page)
        path = quote(member_id, safe="")
        if action in FREEZES:
            page.require("ops:risk")
            answer = await page.apis.post(
                page.session.user, "wallet", f"/v1/ops/wallets/{path}/{action}",
                {"reason": form.get("reason", "").strip()}, form.get("action_key"))
            return await outcome(page, member_id, answer, form, "reason", action)
        page.require("ops:adjust")
        try:
            deltas = {field: parse_amount(form.get(field) or "0")
                      for field in ("principal_delta", "bonus_delta")}
        except RuleViolation:
            bad = [f for f in ("principal_delta", "bonus_delta")
                   if not _parses(form.get(f) or "0")]
            return await member_page(page, member_id, currency, status=422,
                                     errors={f: "invalid_amount" for f in bad}, typed=form)
        answer = await page.apis.post(
            page.session.user, "wallet", "/v1/ops/adjustments",
            {"member_id": member_id, "currency": currency, **deltas,
             "reason": form.get("reason", "").strip()}, form.get("action_key"))
        return await outcome(page, member_id, answer, form, "adjust_reason", "adjusted")

    return router


def _parses(typed: str) -> bool:
    try:
        parse_amount(typed)
    except RuleViolation:
        return False
    return True
