"""Referrals: the member's referral page for the app, one referral with its audit trail
(ops), and late attribution by ops (`ops:review`) within the program's window, audited
and idempotent (it leads to rewards)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response

from services.referral.api.schemas import LateAttribution, ReferralPage, ReferralView
from services.referral.settings import ReferralSettings
from services.referral.store import attribution, members, pages, programs, referrals
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId
from shared.http.member_access import require_member_reader
from shared.http.problems import PROBLEM_RESPONSES
from shared.rule_violations import NotFound, RuleViolation
from shared.service import ServiceContext


def referrals_router(context: ServiceContext[ReferralSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["referrals"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.get("/members/{member_id}/referrals", response_model=ReferralPage,
                summary="The member's referral page: code, link, invited, qualified, rewards")
    async def page(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id)
        async with context.uow() as uow:
            return await pages.referral_page(uow.connection, member_id,
                                             settings.default_program(), settings.share_link_base,
                                             uow.clock.now())

    @router.get("/referrals/{referral_id}", summary="A referral and every decision about it")
    async def one(referral_id: PathId, caller: Caller) -> dict:
        require_scope(caller, "ops:review")
        async with context.uow() as uow:
            row = await referrals.by_id(uow.connection, referral_id)
            if row is None:
                raise NotFound("referral_not_found", f"No referral {referral_id}.")
            trail = await referrals.decisions_of(uow.connection, referral_id)
        return {"referral": ReferralView.model_validate(dict(row)).model_dump(mode="json"),
                "decisions": trail}

    @router.post("/referrals", status_code=201, response_model=ReferralView,
                 summary="Attribute a member to a referrer late (ops:review)")
    async def attribute_late(body: LateAttribution, caller: Caller,
                             idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, "ops:review")

        async def work(uow: UnitOfWork) -> dict:
            invitee = await members.member(uow.connection, body.invitee_id)
            if invitee is None:
                raise NotFound("member_not_found", f"Referral has no enrolment of {body.invitee_id}.")
            program = await programs.in_force(uow.connection, settings.default_program())
            deadline = invitee["enrolled_at"] + timedelta(days=program.late_attribution_days)
            if uow.clock.now() > deadline:
                raise RuleViolation("attribution_window_closed",
                                    f"Late attribution was possible until {deadline.isoformat()}.")
            referral, refusal = await attribution.attribute(
                uow, body.invitee_id, body.code, invitee["enrolled_at"],
                settings.default_program(), {"member_id": body.invitee_id}, actor=caller.identity)
            if referral is None:
                raise RuleViolation(refusal or "attribution_refused",
                                    f"The code cannot refer {body.invitee_id}: {refusal}.")
            await referrals.record_decision(uow.connection, referral["referral_id"],
                                            "attributed_late", [], caller.identity,
                                            uow.clock.now(), body.note)
            return ReferralView.model_validate(dict(referral)).model_dump(mode="json")

        return await idempotent_post(context.uow, caller, "POST /v1/referrals", idempotency_key,
                                     body, work)

    return router
