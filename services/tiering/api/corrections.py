"""Correcting a member's profile (phone, email, birthday, locale) from the member app, with
an audit trail ops read with `ops:pii` (docs/privacy.md, "Correction")."""

from __future__ import annotations

from fastapi import APIRouter

from services.tiering.api.schemas import CorrectionView, MemberView, ProfileCorrection
from services.tiering.settings import TieringSettings
from services.tiering.store.corrections import correct, corrections_of
from services.tiering.store.members import enrolled_member
from shared.http.auth import Caller
from shared.http.ids import PathId
from shared.http.member_access import PII_SCOPE, as_seen_by, require_member_reader, require_ops_scope
from shared.http.paging import Cursor, Limit, Page, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def corrections_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}", tags=["members"],
                       responses=PROBLEM_RESPONSES)

    @router.patch("", response_model=MemberView, summary="Correct a member's profile",
                  description="The member (their own profile) or ops with `ops:pii` on their "
                  "behalf. Fields left out are kept; null clears phone, email or birthday. "
                  "Every change is audited with its values masked.")
    async def correct_profile(member_id: PathId, body: ProfileCorrection, caller: Caller) -> dict:
        require_member_reader(caller, member_id, PII_SCOPE)
        given = body.model_dump(exclude_unset=True)
        if "locale" in given and given["locale"] is None:
            raise Problem(422, "locale_required", "A member always has a locale; send one.")
        async with context.uow() as uow:
            await correct(uow.connection, member_id, given, caller.identity, uow.clock.now())
            member = await enrolled_member(uow.connection, member_id)
        return as_seen_by(caller, member._mapping)

    @router.get("/corrections", response_model=Page[CorrectionView],
                summary="The audit trail of a member's profile corrections (ops:pii)")
    async def list_corrections(member_id: PathId, caller: Caller, limit: Limit = 50,
                               cursor: Cursor = None) -> dict:
        require_ops_scope(caller, PII_SCOPE)
        after = decode_cursor(cursor, 1)
        if after is not None and not (type(after[0]) is int and 0 <= after[0] < 2**63):
            raise invalid_cursor()
        async with context.engine.connect() as db:
            rows = await corrections_of(db, member_id, after and after[0], limit)
        return page(rows, limit, lambda row: [row["correction_id"]])

    return router
