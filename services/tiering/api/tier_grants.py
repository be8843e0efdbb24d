"""Tier grants by ops: give a member a tier for a while, with a reason and an end (a moment,
or the next anniversary review), list a member's grants, revoke one. Granting needs the
ops scope `ops:tiers`; the member's tier rises at once (`TierChanged` up, with the grant's
id); it falls back only at a review (docs/tiering.md, Tier grants). The ops audit
(shared/http/ops_audit.py) records each call; the grant row keeps who and why."""

from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Response

from services.tiering.api.schemas import RevokeGrantBody, TierGrantBody, TierGrantView
from services.tiering.rules.tier_grants import state
from services.tiering.rules.tiers import review_due_at
from services.tiering.settings import TieringSettings
from services.tiering.store import tier_grants, tiers
from services.tiering.store.entitlements import grant_for_tier
from services.tiering.store.members import MemberNotFound, enrolled_member, lock_member
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import idempotent_post
from shared.http.ids import PathId
from shared.http.member_access import REPORT_SCOPE, require_member_reader
from shared.http.paging import Cursor, Limit, Page, cursor_moment, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

TIERS_SCOPE = "ops:tiers"
OptionalIdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", description="Optional: the same key and body replays the first "
    "grant; a different body under it is 422 `idempotency_key_reused`.")]


def shown(row, now) -> dict:
    return {**row._mapping, "state": state(tier_grants.as_grant(row), now)}


def tier_grants_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members/{member_id}/tier-grants", tags=["tier grants"],
                       responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.post("", status_code=201, response_model=TierGrantView,
                 summary="Grant a member a tier until a moment or the next review (ops:tiers)",
                 description="With an Idempotency-Key, a retry (a double click, a reload) "
                 "replays the first grant instead of making a second one; without one, each "
                 "call is a grant.")
    async def grant_tier(member_id: PathId, body: TierGrantBody, caller: Caller,
                         idempotency_key: OptionalIdempotencyKey = None) -> Response:
        require_scope(caller, TIERS_SCOPE)
        if idempotency_key is not None:
            return await idempotent_post(
                context.uow, caller, f"POST /v1/members/{member_id}/tier-grants",
                idempotency_key, body, lambda uow: _grant(uow, member_id, body, caller))
        async with context.uow() as uow:
            granted = await _grant(uow, member_id, body, caller)
        return Response(orjson.dumps(granted), 201, media_type="application/json")

    async def _grant(uow, member_id: str, body: TierGrantBody, caller) -> dict:
        now = uow.clock.now()
        member = await lock_member(uow.connection, member_id)
        if member is None:
            raise MemberNotFound(f"No member {member_id}.")
        rules = await tiers.rules_in_force(uow.connection, settings.default_rules())
        ends = body.expires_at or review_due_at(member.review_at, settings.tier_review_grace_days)
        row, raised = await tier_grants.grant(uow, member, member.tier, rules, tier_grants.NewGrant(
            body.tier, "ops", body.reason, now, ends, body.until_next_review,
            caller.identity), settings.currency)
        if raised is not None:  # a tier reached by a grant brings its benefits too
            await grant_for_tier(uow, member_id, raised.to_tier, settings.time_zone)
        return TierGrantView.model_validate(shown(row, now)).model_dump(mode="json")

    @router.get("", response_model=Page[TierGrantView],
                summary="A member's tier grants, newest first")
    async def list_grants(member_id: PathId, caller: Caller, limit: Limit = 50,
                          cursor: Cursor = None) -> dict:
        require_member_reader(caller, member_id, REPORT_SCOPE, TIERS_SCOPE)
        after = decode_cursor(cursor, 2)
        if after is not None:
            try:
                after = (cursor_moment(after[0]), uuid.UUID(str(after[1])))
            except ValueError:
                raise invalid_cursor() from None
        async with context.engine.connect() as db:
            await enrolled_member(db, member_id)
            rows = await tier_grants.member_grants(db, member_id, limit + 1, after)
        now = context.clock.now()
        return page([shown(row, now) for row in rows], limit,
                    lambda g: [g["granted_at"].isoformat(), str(g["grant_id"])])

    @router.post("/{grant_id}/revoke", response_model=TierGrantView,
                 summary="End a tier grant now (ops:tiers); the tier falls at the next review")
    async def revoke_grant(member_id: PathId, grant_id: uuid.UUID, body: RevokeGrantBody,
                           caller: Caller) -> dict:
        require_scope(caller, TIERS_SCOPE)
        async with context.uow() as uow:
            now = uow.clock.now()
            await lock_member(uow.connection, member_id)
            row = await tier_grants.revoke(uow.connection, member_id, grant_id, caller.identity,
                                           body.reason, now)
            return shown(row, now)

    return router
