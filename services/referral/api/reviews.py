"""The referral review queue (`ops:review`): held referrals, approve or reject. Approving
releases the rewards, so both are idempotent POSTs."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.referral.api.schemas import ReferralView, ReviewBody
from services.referral.settings import ReferralSettings
from services.referral.store import reviews
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def reviews_router(context: ServiceContext[ReferralSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/reviews", tags=["reviews"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.get("", response_model=Page[ReferralView], summary="Referrals held for review")
    async def queue(caller: Caller, limit: Limit = 50, cursor: Cursor = None) -> dict:
        require_scope(caller, "ops:review")
        key = decode_cursor(cursor, 2)
        after = None if key is None else (cursor_moment(key[0]), key[1])
        try:
            async with context.uow() as uow:
                rows = await reviews.held(uow, after, limit)
        except (TypeError, ValueError) as error:  # a cursor this API did not give out
            raise invalid_cursor() from error
        return page([dict(r) for r in rows], limit,
                    lambda r: [r["decided_at"].isoformat(), r["referral_id"]])

    def decision_route(approve: bool) -> None:
        verb = "approve" if approve else "reject"

        @router.post(f"/{{referral_id}}/{verb}", status_code=200, response_model=ReferralView,
                     summary=f"{verb.capitalize()} a held referral")
        async def decide(referral_id: PathId, body: ReviewBody, caller: Caller,
                         idempotency_key: IdempotencyKey = None) -> Response:
            require_scope(caller, "ops:review")

            async def work(uow: UnitOfWork) -> dict:
                row = await reviews.decide(uow, referral_id, approve, caller.identity, body.note,
                                           settings.default_program())
                return ReferralView.model_validate(dict(row)).model_dump(mode="json")

            return await idempotent_post(context.uow, caller, f"POST /v1/reviews/{verb}",
                                         idempotency_key, {"referral_id": referral_id,
                                                           **body.model_dump()}, work, status=200)

    decision_route(approve=True)
    decision_route(approve=False)
    return router
