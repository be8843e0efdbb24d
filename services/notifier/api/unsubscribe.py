"""One-click unsubscribe: the signed link in a marketing message withdraws the member's
marketing consent on that channel. No login: the signature is the credential. Both GET
(a click in a mail client) and POST (RFC 8058 one-click, sent by the mail client itself)
do it; doing it twice changes nothing."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from services.notifier.rules.channels import CHANNELS
from services.notifier.rules.unsubscribe import read_unsubscribe_token
from services.notifier.store import contacts
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

DONE = ("<!doctype html><html><body><p>You will get no more offers on this channel. "
        "Receipts and reminders about your membership still reach you.</p>"
        "<p>您将不再通过此渠道收到优惠信息；交易通知和会员提醒不受影响。</p></body></html>")


def unsubscribe_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/unsubscribe", tags=["unsubscribe"], responses=PROBLEM_RESPONSES)
    secret = context.settings.link_secret.get_secret_value()

    async def unsubscribe(token: str) -> HTMLResponse:
        member_id, channel = read_unsubscribe_token(secret, token)
        if channel not in CHANNELS:
            raise Problem(400, "invalid_unsubscribe_link", "This unsubscribe link is not valid.")
        async with context.uow() as uow:
            await contacts.set_consent(uow, member_id, channel, "marketing", False,
                                       "unsubscribe_link", uow.clock.now())
        return HTMLResponse(DONE)

    token_path = Path(min_length=1, max_length=300)

    @router.get("/{token}", response_class=HTMLResponse, summary="Unsubscribe (link)")
    async def unsubscribe_by_link(token: str = token_path) -> HTMLResponse:
        return await unsubscribe(token)

    @router.post("/{token}", response_class=HTMLResponse, summary="Unsubscribe (one-click)")
    async def unsubscribe_one_click(token: str = token_path) -> HTMLResponse:
        return await unsubscribe(token)

    return router
