"""The manual review queue (`ops:review`): held bonuses with their reasons, and an audited
approve or reject."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from services.rewards import reviews
from services.rewards.schemas import ReviewRequest
from shared.http.auth import Caller, require_scope
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

Status = Literal["held", "granted", "rejected"]


def decision_view(row: Mapping[str, Any]) -> dict:
    return {k: row.get(k) for k in (
        "grant_id", "recharge_id", "member_id", "currency", "recharge_amount", "amount",
        "status", "rules", "reasons", "risk_score", "decided_at", "reviewed_by", "reviewed_at",
        "review_note")}


def encode_cursor(row: Mapping[str, Any]) -> str:
    raw = json.dumps([row["decided_at"].isoformat(), row["recharge_id"]]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        decided_at, recharge_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        moment = datetime.fromisoformat(decided_at)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment, str(recharge_id)
    except (ValueError, TypeError) as error:
        raise Problem(400, "invalid_cursor", "cursor is not one this API returned.") from error


def reviews_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/reviews", tags=["reviews"], responses=PROBLEM_RESPONSES)

    @router.get("", summary="Bonus decisions by status, oldest first (ops:review)")
    async def queue(caller: Caller, status: Status = "held",
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    cursor: str | None = None) -> dict:
        require_scope(caller, "ops:review")
        after = decode_cursor(cursor) if cursor else None
        async with context.uow() as uow:
            rows = await reviews.held_page(uow, status, limit + 1, after)
        page = rows[:limit]
        return {"items": [decision_view(r) for r in page],
                "next_cursor": encode_cursor(page[-1]) if len(rows) > limit else None}

    async def decide(grant_id: UUID, decision: reviews.Decision, body: ReviewRequest,
                     caller: Caller) -> dict:
        require_scope(caller, "ops:review")
        try:
            async with context.uow() as uow:
                row = await reviews.review(uow, grant_id, decision, caller.identity, body.note)
        except reviews.DecisionNotFound as missing:
            raise Problem(404, "decision_not_found", f"No bonus decision {grant_id}.") from missing
        except reviews.AlreadyDecided as done:
            raise Problem(409, "already_decided", f"This bonus is already {done.status}.",
                          status_now=done.status) from done
        return decision_view({**row, "grant_id": grant_id, "review_note": body.note})

    @router.post("/{grant_id}/approve", summary="Grant a held bonus (ops:review)")
    async def approve(grant_id: UUID, body: ReviewRequest, caller: Caller) -> dict:
        return await decide(grant_id, "approve", body, caller)

    @router.post("/{grant_id}/reject", summary="Reject a held bonus (ops:review)")
    async def reject(grant_id: UUID, body: ReviewRequest, caller: Caller) -> dict:
        return await decide(grant_id, "reject", body, caller)

    return router
