"""The review queue: bonuses rewards held (with the reasons and risk score) and referrals the
referral service held, each with the member's recent wallet history; approve or reject with
a note (required to reject). The decision is the API's (`POST /v1/reviews/...`, scope
`ops:review`), audited there under the user's name; the console only relays it."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.pages import Page, posted_form, signed_in
from services.console.platform_apis import Answer
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

QUEUE_SIZE = 20  # oldest first: the page shows the next ones to decide
HISTORY_LINES = 5
KINDS = {"bonuses": "rewards", "referrals": "referral"}  # the page's kind → the deciding service
DONE = {"approve": "approved", "reject": "rejected"}


async def recent_history(page: Page, member_id: str) -> dict[str, Answer]:
    user = page.session.user
    statement, recharges = await asyncio.gather(
        page.apis.get(user, "wallet", f"/v1/wallets/{member_id}/statement",
                      {"limit": HISTORY_LINES}),
        page.apis.get(user, "wallet", f"/v1/wallets/{member_id}/recharges", {"limit": 3}))
    return {"statement": statement, "recharges": recharges}


async def queue_page(page: Page, status: int = 200, errors: dict[str, dict[str, str]] | None = None,
                     notes: dict[str, str] | None = None) -> HTMLResponse:
    user = page.session.user
    bonuses, referrals = await asyncio.gather(
        page.apis.get(user, "rewards", "/v1/reviews", {"status": "held", "limit": QUEUE_SIZE}),
        page.apis.get(user, "referral", "/v1/reviews", {"limit": QUEUE_SIZE}))
    held: list[dict[str, Any]] = bonuses.body["items"] if bonuses.ok else []
    members = sorted({item["member_id"] for item in held})
    histories = dict(zip(members, await asyncio.gather(
        *(recent_history(page, member) for member in members)), strict=True))
    return page.render("reviews.html", status, bonuses=bonuses, held=held,
                       referrals=referrals, histories=histories, errors=errors or {},
                       notes=notes or {},
                       done=page.request.query_params.get("done") if
                       page.request.query_params.get("done") in DONE.values() else None)


def reviews_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/reviews")
    async def queue(page: Page = Depends(signed_in)) -> HTMLResponse:
        page.require("ops:review")
        return await queue_page(page)

    @router.post("/reviews/{kind}/{item_id}/{verb}")
    async def decide(kind: str, item_id: str, verb: str,
                     page: Page = Depends(signed_in)) -> Response:
        if kind not in KINDS or verb not in ("approve", "reject"):
            raise HTTPException(404)
        form = await posted_form(page)
        page.require("ops:review")
        note = form.get("note", "").strip()
        if verb == "reject" and not note:
            return await queue_page(page, 422, {item_id: {"note": "note_required"}},
                                    {item_id: note})
        answer = await page.apis.post(page.session.user, KINDS[kind],
                                      f"/v1/reviews/{item_id}/{verb}",
                                      {"note": note or "approved in the console"})
        if not answer.ok:
            shown = answer.field_errors() or {"note": answer.problem.get("detail", "")}
            return await queue_page(page, answer.status, {item_id: shown}, {item_id: note})
        return RedirectResponse(f"/reviews?done={DONE[verb]}", status_code=303)

    return router
