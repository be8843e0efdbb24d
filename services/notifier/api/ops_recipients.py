"""Ops recipients of the scheduled reports (`ops:config`): add, list, remove; and the
unsubscribe link in every report. Recipients are staff, not members: no member consent
applies; each change is audited by the ops audit middleware (shared/http/ops_audit.py)."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from services.notifier.api.ops_recipient_schemas import RecipientBody, RecipientView
from services.notifier.rules.ops_reports import (
    checked_email,
    checked_kinds,
    read_recipient_unsubscribe_token,
)
from services.notifier.settings import NotifierSettings
from services.notifier.store import ops_recipients
from shared.http.auth import Caller, require_scope
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.rule_violations import RuleViolation
from shared.service import ServiceContext

SCOPE = "ops:config"
UNSUBSCRIBED = ("<!doctype html><html><body><p>You will get no more scheduled reports.</p>"
                "<p>您将不再收到定期报告。</p></body></html>")


def checked_zone(time_zone: str | None) -> str | None:
    if time_zone is None:
        return None
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RuleViolation("invalid_time_zone", f"No time zone {time_zone}.") from error
    return time_zone


def ops_recipients_router(context: ServiceContext[NotifierSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/ops-recipients", tags=["ops recipients"],
                       responses=PROBLEM_RESPONSES)
    secret = context.settings.link_secret.get_secret_value()

    @router.post("", status_code=201, response_model=RecipientView,
                 summary="Send the scheduled reports to an address")
    async def add(body: RecipientBody, caller: Caller) -> dict:
        require_scope(caller, SCOPE)
        email, kinds = checked_email(body.email), checked_kinds(body.report_kinds)
        zone = checked_zone(body.time_zone)
        async with context.uow() as uow:
            return await ops_recipients.add(uow.connection, f"opr_{secrets.token_hex(8)}", email,
                                            body.locale, zone, kinds, uow.clock.now())

    @router.get("", response_model=Page[RecipientView], summary="Ops recipients, newest first")
    async def listing(caller: Caller, limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, SCOPE)
        key = decode_cursor(cursor, 2)
        if key is not None and not isinstance(key[1], str):
            raise invalid_cursor()
        after = (cursor_moment(key[0]), key[1]) if key is not None else None
        async with context.uow() as uow:
            rows = await ops_recipients.listing(uow.connection, after, limit)
        return page(rows, limit, lambda r: [r["created_at"].isoformat(), r["recipient_id"]])

    @router.delete("/{recipient_id}", status_code=204, summary="Stop sending reports there")
    async def remove(recipient_id: PathId, caller: Caller) -> None:
        require_scope(caller, SCOPE)
        async with context.uow() as uow:
            await ops_recipients.remove(uow.connection, recipient_id)

    async def unsubscribe(token: str) -> HTMLResponse:
        recipient_id = read_recipient_unsubscribe_token(secret, token)
        async with context.uow() as uow:
            await ops_recipients.unsubscribe(uow.connection, recipient_id, uow.clock.now())
        return HTMLResponse(UNSUBSCRIBED)

    token_path = Path(min_length=1, max_length=300)

    # the link's own signed token is the credential, as for members' links (api/unsubscribe.py)
    @router.get("/unsubscribe/{token}", response_class=HTMLResponse,
                summary="Stop the reports (the link in a report)")
    async def unsubscribe_by_link(token: str = token_path) -> HTMLResponse:
        return await unsubscribe(token)

    @router.post("/unsubscribe/{token}", response_class=HTMLResponse,
                 summary="Stop the reports (one-click)")
    async def unsubscribe_one_click(token: str = token_path) -> HTMLResponse:
        return await unsubscribe(token)

    return router
