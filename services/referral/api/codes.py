"""Referral codes: a member's code and share link (made on first ask), rotation and
deactivation by the member (or ops), and lookup of a typed code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter

from services.referral.api.schemas import CodeLookup, CodeView
from services.referral.rules.codes import looks_like_a_code, normalise
from services.referral.settings import ReferralSettings
from services.referral.store import codes
from shared.http.auth import Caller
from shared.http.ids import PathId, PathReference
from shared.http.member_access import require_member_reader
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

# Making, rotating or stopping a member's code for them is abuse handling, as the reviews are.
CODE_SCOPE = "ops:review"


def code_view(row: Mapping[str, Any], settings: ReferralSettings) -> dict:
    return {**row, "link": settings.share_link_base + row["code"]}


def codes_router(context: ServiceContext[ReferralSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["codes"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.post("/members/{member_id}/referral-code", response_model=CodeView,
                 summary="The member's active code and share link, made on first ask")
    async def get_or_make(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, CODE_SCOPE)
        async with context.uow() as uow:
            return code_view(await codes.code_for(uow, member_id, uow.clock.now()),
                             settings)

    @router.get("/members/{member_id}/referral-code", response_model=CodeView,
                summary="The member's active code")
    async def show(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id)
        async with context.uow() as uow:
            row = await codes.active_code(uow.connection, member_id)
        if row is None:
            raise Problem(404, "code_not_found", f"Member {member_id} has no active code.")
        return code_view(row, settings)

    @router.post("/members/{member_id}/referral-code/rotate", response_model=CodeView,
                 summary="Replace the member's code; the old one stops working")
    async def rotate(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, CODE_SCOPE)
        async with context.uow() as uow:
            return code_view(await codes.rotate(uow, member_id, uow.clock.now()),
                             settings)

    @router.post("/members/{member_id}/referral-code/deactivate", response_model=CodeView,
                 summary="Stop the member's code working")
    async def deactivate(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, CODE_SCOPE)
        async with context.uow() as uow:
            return code_view(await codes.deactivate(uow, member_id, uow.clock.now()),
                             settings)

    @router.get("/codes/{code}", response_model=CodeLookup, summary="Look up a typed code")
    async def lookup(code: PathReference, caller: Caller) -> dict:
        typed = normalise(code)
        if not looks_like_a_code(typed):
            raise Problem(404, "code_not_found", f"No referral code {code}.")
        async with context.uow() as uow:
            row = await codes.find(uow.connection, typed)
        if row is None:
            raise Problem(404, "code_not_found", f"No referral code {code}.")
        return {"code": row["code"], "active": row["status"] == "active",
                "member_id": row["member_id"] if caller.role == "ops" else None}

    return router
