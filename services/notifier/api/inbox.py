"""The member's in-app inbox (newest first, with the unread count) and delivery log."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter

from services.notifier.api.access import require_member_or_ops
from services.notifier.api.schemas import InboxPage, NotificationView
from services.notifier.store import inbox, notifications
from shared.http.auth import Caller
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def newest_first_after(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The (created_at, id) a page continues after; 400 for a cursor we did not give out."""
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        return cursor_moment(key[0]), UUID(key[1])
    except (TypeError, ValueError) as error:
        raise invalid_cursor() from error


def inbox_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}", tags=["inbox"],
                       responses=PROBLEM_RESPONSES)

    @router.get("/inbox", response_model=InboxPage, summary="The member's in-app inbox")
    async def read_inbox(member_id: PathId, caller: Caller, limit: Limit = 50,
                         cursor: Cursor = None) -> dict:
        require_member_or_ops(caller, member_id)
        after = newest_first_after(cursor)
        async with context.uow() as uow:
            rows = await inbox.messages(uow.connection, member_id, after, limit)
            unread = await inbox.unread_count(uow.connection, member_id)
        return {**page([row._mapping for row in rows], limit,
                       lambda r: [r["created_at"].isoformat(), str(r["message_id"])]),
                "unread": unread}

    @router.post("/inbox/{message_id}/read", status_code=204, summary="Mark a message read")
    async def mark_read(member_id: PathId, message_id: UUID, caller: Caller) -> None:
        require_member_or_ops(caller, member_id)
        async with context.uow() as uow:
            if not await inbox.mark_read(uow.connection, member_id, message_id, uow.clock.now()):
                raise Problem(404, "message_not_found", f"No message {message_id} for {member_id}.")

    @router.get("/notifications", response_model=Page[NotificationView],
                summary="The member's messages and how each was delivered")
    async def delivery_log(member_id: PathId, caller: Caller, limit: Limit = 50,
                           cursor: Cursor = None) -> dict:
        require_member_or_ops(caller, member_id)
        after = newest_first_after(cursor)
        async with context.uow() as uow:
            rows = await notifications.messages_of(uow.connection, member_id, after, limit)
        return page([row._mapping for row in rows], limit,
                    lambda r: [r["created_at"].isoformat(), str(r["notification_id"])])

    return router
