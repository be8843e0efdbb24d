"""Segments (`ops:config`): versions of a segment (a rule over member facts, or an uploaded
list), a preview of who is in it now (count and a sample), and a list segment's members,
uploaded in bounded batches and read back paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.rewards.api.schemas import SegmentMembersRequest, SegmentVersionRequest
from services.rewards.rules.segments import SegmentRuleRefused, check_rule
from services.rewards.settings import RewardsSettings
from services.rewards.store import segments
from shared.http.auth import Caller, require_scope
from shared.http.ids import PathId
from shared.http.paging import Cursor, Limit, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

Sample = Annotated[int, Query(ge=0, le=100, description="Member ids to show (default 20).")]


def checked_rule(body: SegmentVersionRequest) -> dict | None:
    """A rule segment's rule, checked (422 with a stable code); a list has none."""
    if body.kind == "list":
        if body.rule is not None:
            raise SegmentRuleRefused("invalid_segment_rule", "A list segment has no rule.", "rule")
        return None
    if body.rule is None:
        raise SegmentRuleRefused("invalid_segment_rule", "A rule segment needs a rule.", "rule")
    check_rule(body.rule)
    return body.rule


def segments_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/segments", tags=["segments"], responses=PROBLEM_RESPONSES)

    @router.post("/{segment_id}/versions", status_code=201,
                 summary="A new version of a segment, evaluated at once (ops:config)")
    async def add_version(segment_id: PathId, body: SegmentVersionRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        rule = checked_rule(body)
        now = context.clock.now()
        async with context.uow() as uow:
            version = await segments.add_version(uow.connection, {
                "segment_id": segment_id, "name": body.name, "kind": body.kind, "rule": rule,
                "created_by": caller.identity}, now, context.settings.zone())
            preview = await segments.preview(uow.connection, segment_id, 0)
        return {"segment_id": segment_id, "version": version, "name": body.name,
                "kind": body.kind, "rule": rule, "members": preview["count"],
                "created_by": caller.identity, "created_at": now}

    @router.get("/{segment_id}/versions", summary="Every version of a segment (ops:config)")
    async def versions(segment_id: PathId, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            rows = await segments.segment_versions(db, segment_id)
        return {"items": [{k: row[k] for k in ("segment_id", "version", "name", "kind", "rule",
                                               "created_by", "created_at")} for row in rows]}

    @router.get("/{segment_id}/preview",
                summary="How many members are in the segment now, and a sample (ops:config)")
    async def preview(segment_id: PathId, caller: Caller, sample: Sample = 20) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            return await segments.preview(db, segment_id, sample)

    @router.post("/{segment_id}/members",
                 summary="Add uploaded members to a list segment (ops:config)")
    async def add_members(segment_id: PathId, body: SegmentMembersRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.uow() as uow:
            added = await segments.add_listed(uow.connection, segment_id, body.member_ids,
                                              context.clock.now())
        return {"segment_id": segment_id, "added": added}

    @router.get("/{segment_id}/members", summary="The segment's members now, paged (ops:config)")
    async def members(segment_id: PathId, caller: Caller, limit: Limit = 50,
                      cursor: Cursor = None) -> dict:
        require_scope(caller, "ops:config")
        key = decode_cursor(cursor, 1)
        if key is not None and not isinstance(key[0], str):
            raise invalid_cursor()
        async with context.engine.connect() as db:
            rows = await segments.members_page(db, segment_id, key and key[0], limit + 1)
        return page(rows, limit, lambda row: (row["member_id"],))

    return router
