"""The manual review queue (`ops:review`): held bonuses and recharges whose principal the
wallet held (`principal_held`), and held payments on spend (`kind: cashback`: cash-back,
spend-and-save, first-N gifts), with their reasons, and an audited approve or reject."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter

from services.rewards.api.schemas import ReviewRequest
from services.rewards.settings import RewardsSettings
from services.rewards.store import review_queue
from shared.http.auth import Caller, require_scope
from shared.http.paging import Cursor, Limit, cursor_moment, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

Status = Literal["held", "granted", "rejected"]


def decision_view(row: Mapping[str, Any]) -> dict:
    return {k: row.get(k) for k in (
        "grant_id", "recharge_id", "member_id", "currency", "recharge_amount", "amount",
        "status", "rules", "reasons", "risk_score", "decided_at", "reviewed_by", "reviewed_at",
        "review_note", "principal_held", "kind", "purchase_id", "offer_id")}


def after_key(cursor: str | None) -> tuple[datetime, str] | None:
    """The (decided_at, recharge id or cashback:<grant id>) a cursor carries; 400
    `invalid_cursor` for anything else, e.g. a well-formed cursor whose time is not one."""
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    decided_at, recharge_id = key
    if not isinstance(recharge_id, str):
        raise invalid_cursor()
    return cursor_moment(decided_at), recharge_id


def reviews_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/reviews", tags=["reviews"], responses=PROBLEM_RESPONSES)

    @router.get("", summary="Bonus decisions by status, oldest first (ops:review)")
    async def queue(caller: Caller, status: Status = "held", limit: Limit = 50,
                    cursor: Cursor = None) -> dict:
        require_scope(caller, "ops:review")
        after = after_key(cursor)
        async with context.uow() as uow:
            rows = await review_queue.decisions_page(uow, status, limit + 1, after)
        listed = page(rows, limit, lambda row: (row["decided_at"].isoformat(), row["sort_key"]))
        return {**listed, "items": [decision_view(r) for r in listed["items"]]}

    async def decide(grant_id: UUID, decision: review_queue.Decision, body: ReviewRequest,
                     caller: Caller) -> dict:
        require_scope(caller, "ops:review")
        async with context.uow() as uow:
            row = await review_queue.review(uow, grant_id, decision, caller.identity, body.note)
        return decision_view({**row, "grant_id": grant_id, "review_note": body.note})

    @router.post("/{grant_id}/approve", summary="Grant a held bonus (ops:review)")
    async def approve(grant_id: UUID, body: ReviewRequest, caller: Caller) -> dict:
        return await decide(grant_id, "approve", body, caller)

    @router.post("/{grant_id}/reject", summary="Reject a held bonus (ops:review)")
    async def reject(grant_id: UUID, body: ReviewRequest, caller: Caller) -> dict:
        return await decide(grant_id, "reject", body, caller)

    return router
