"""Ops actions on the member page, each behind its scope and decided by the owning API:
freezing and unfreezing the wallet (`ops:risk`), a wallet adjustment (`ops:adjust`) and a
tier granted until the member's next review (`ops:tiers`), and a message sent again
(`ops:pii`, the notifier's resend).
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
        # the reason field's id is the form's own (three forms have one)
        own = {"adjust_reason": "adjust_reason", "tier": "grant_reason"}.get(field)
        if own and "reason" in errors:
            errors[own] = errors.pop("reason")
        return await member_page(page, member_id, currency, status=answer.status,
                                 errors=errors, typed=form)

    @router.post("/members/{member_id}/{action}")
    async def freeze(member_id: str, action: str, page: Page = Depends(signed_in)) -> Response:
        if action not in (*FREEZES, "adjustments", "tier-grants"):
            raise HTTPException(404)
        form = await posted_form(page)
        path = quote(member_id, safe="")
        if action in FREEZES:
            page.require("ops:risk")
            answer = await page.apis.post(
                page.session.user, "wallet", f"/v1/ops/wallets/{path}/{action}",
                {"reason": form.get("reason", "").strip()}, form.get("action_key"))
            return await outcome(page, member_id, answer, form, "reason", action)
        if action == "tier-grants":
            page.require("ops:tiers")
            answer = await page.apis.post(
                page.session.user, "tiering", f"/v1/members/{path}/tier-grants",
                {"tier": form.get("tier", "").strip(), "reason": form.get("reason", "").strip(),
                 "until_next_review": True}, form.get("action_key"))
            return await outcome(page, member_id, answer, form, "tier", "granted")
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

    @router.post("/members/{member_id}/notifications/{notification_id}/resend")
    async def resend(member_id: str, notification_id: str, page: Page = Depends(signed_in)) -> Response:
        page.require("ops:pii")
        form = await posted_form(page)
        answer = await page.apis.post(
            page.session.user, "notifier",
            f"/v1/members/{quote(member_id, safe='')}/notifications/"
            f"{quote(notification_id, safe='')}/resend", {}, form.get("action_key"))
        if not answer.ok:  # the notifier's code in words (member_opted_out), else its detail
            code = answer.problem.get("code")
            word = code if code == "member_opted_out" else answer.problem.get("detail") or code
            return await member_page(page, member_id, currency, status=answer.status,
                                     errors={"resend": word or f"{answer.status}"})
        return RedirectResponse(f"/members/{quote(member_id, safe='')}?done=resent",
                                status_code=303)

    return router


def _parses(typed: str) -> bool:
    try:
        parse_amount(typed)
    except RuleViolation:
        return False
    return True
