"""Member lookup and the member page. Found by member number (tiering), referral code
(referral), member id or, for users with `ops:pii`, phone number (tiering; several members
may share one: a list to pick from); the page gathers what each service's API shows ops about the
member: balances and the statement (paged), recharges, tier and progress, membership and
renewal quotes, points, coupons, entitlements, referrals and the messages sent. A section
the user's scopes do not open says so; the APIs decide."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.api.pages import Page, signed_in
from services.console.platform_apis import Answer
from services.console.settings import ConsoleSettings
from shared.service import ServiceContext

STATEMENT_LINES = 20
PHONE_MATCHES = 50  # members sharing one phone number listed to pick from
# How a member can be looked up: the kind → (service, path of the lookup)
LOOKUPS = {
    "number": ("tiering", "/v1/members/by-number/{q}"),
    "code": ("referral", "/v1/codes/{q}"),
    "id": ("tiering", "/v1/members/{q}"),
}
# The member page's sections: key → (service, path); `{m}` is the member id.
SECTIONS = {
    "profile": ("tiering", "/v1/members/{m}"),
    "tier": ("tiering", "/v1/members/{m}/tier"),
    "membership": ("tiering", "/v1/members/{m}/membership"),
    "renewal_quotes": ("tiering", "/v1/members/{m}/renewal-quotes"),
    "entitlements": ("tiering", "/v1/members/{m}/entitlements"),
    "recharges": ("wallet", "/v1/wallets/{m}/recharges"),
    "points": ("rewards", "/v1/members/{m}/points"),
    "coupons": ("rewards", "/v1/members/{m}/coupons"),
    "referrals": ("referral", "/v1/members/{m}/referrals"),
    "messages": ("notifier", "/v1/members/{m}/notifications"),
}


def members_router(context: ServiceContext[ConsoleSettings]) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    currency = context.settings.currency

    @router.get("/members")
    async def lookup(page: Page = Depends(signed_in), q: str = "", by: str = "number") -> Response:
        page.require("ops:report")
        query = q.strip()
        kinds = lookups_of(page)
        if not query:
            return page.render("lookup.html", q=q, by=by, lookups=kinds, error=None)
        if by == "phone":
            return await lookup_by_phone(page, q, query, kinds)
        if by not in LOOKUPS:
            return page.render("lookup.html", 422, q=q, by="number", lookups=kinds,
                               error="lookup_kind_unknown")
        service, path = LOOKUPS[by]
        answer = await page.apis.get(page.session.user, service,
                                     path.format(q=quote(query, safe="")))
        member_id = (answer.body or {}).get("member_id") if answer.ok else None
        if member_id is None:
            error = "member_not_found" if answer.status in (404, 422) or answer.ok else \
                "forbidden" if answer.status == 403 else "service_unavailable"
            return page.render("lookup.html", 404 if error == "member_not_found" else answer.status,
                               q=q, by=by, lookups=kinds, error=error,
                               detail=answer.problem.get("detail"))
        return RedirectResponse(f"/members/{quote(member_id, safe='')}", status_code=303)

    @router.get("/members/{member_id}")
    async def member(member_id: str, page: Page = Depends(signed_in),
                     cursor: str | None = None) -> HTMLResponse:
        done = page.request.query_params.get("done")
        return await member_page(page, member_id, currency, cursor, done=done)

    return router


def lookups_of(page: Page) -> list[str]:
    """The ways this user may look a member up: by phone only with `ops:pii` (a phone
    number is personal data, and tiering answers the lookup to `ops:pii` only)."""
    return [*LOOKUPS, *(("phone",) if page.can("ops:pii") else ())]


async def lookup_by_phone(page: Page, q: str, query: str, kinds: list[str]) -> Response:
    """One member with this number: their page; several: a list to pick from; none: says so."""
    page.require("ops:pii")
    answer = await page.apis.get(page.session.user, "tiering", "/v1/members/by-phone",
                                 {"phone": query, "limit": PHONE_MATCHES})
    if not answer.ok:
        error = ("phone_invalid" if answer.status == 422 else "forbidden"
                 if answer.status == 403 else "service_unavailable")
        return page.render("lookup.html", answer.status, q=q, by="phone", lookups=kinds,
                           error=error)
    found = answer.body.get("items") or []
    if len(found) == 1:
        return RedirectResponse(f"/members/{quote(found[0]['member_id'], safe='')}", status_code=303)
    if not found:
        return page.render("lookup.html", 404, q=q, by="phone", lookups=kinds,
                           error="phone_not_found")
    return page.render("lookup.html", q=q, by="phone", lookups=kinds, error=None, matches=found,
                       more=answer.body.get("next_cursor") is not None)


async def member_page(page: Page, member_id: str, currency: str, cursor: str | None = None,
                      status: int = 200, errors: dict[str, str] | None = None,
                      typed: dict[str, str] | None = None, done: str | None = None) -> HTMLResponse:
    """The member page; `errors` (field → word or API detail) and `typed` (what was posted)
    show a refused action next to its fields."""
    page.require("ops:report")
    user = page.session.user
    member = quote(member_id, safe="")
    statement_params: dict[str, object] = {"currency": currency, "limit": STATEMENT_LINES}
    if cursor:
        statement_params["cursor"] = cursor
    calls = {key: page.apis.get(user, service, path.format(m=member))
             for key, (service, path) in SECTIONS.items()}
    calls["balance"] = page.apis.get(user, "wallet", f"/v1/wallets/{member}", {"currency": currency})
    calls["statement"] = page.apis.get(user, "wallet", f"/v1/wallets/{member}/statement",
                                       statement_params)
    answers: dict[str, Answer] = dict(zip(calls, await asyncio.gather(*calls.values()),
                                          strict=True))
    if status == 200 and answers["profile"].status == 404 and answers["balance"].status == 404:
        status = 404
    return page.render("member.html", status, member_id=member_id, answers=answers,
                       sections=[key for key in SECTIONS if key != "profile"], cursor=cursor,
                       errors=errors or {}, typed=typed or {}, done=done,
                       action_key=uuid.uuid4().hex)
