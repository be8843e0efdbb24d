"""Tiers: the rules in force (benefits that other services and the POS read), publishing a
new rules version (ops:config), and a member's tier, progress and history."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from services.tiering.api.schemas import TierChangeView, TierRulesBody, TierRulesHistory, TierRulesView
from services.tiering.rules.tiers import Benefits, Tier, TierRules, progress, published_program
from services.tiering.settings import TieringSettings
from services.tiering.store import qualifying, tiers
from services.tiering.store.members import enrolled_member
from services.tiering.store.tables import tier_changes
from shared.http.auth import Caller, require_scope
from shared.http.ids import PathId
from shared.http.member_access import require_member_reader
from shared.http.paging import Cursor, Limit, Page, decode_cursor, invalid_cursor, page
from shared.http.problems import PROBLEM_RESPONSES
from shared.money import MINOR_UNIT_EXPONENT
from shared.service import ServiceContext


def rules_view(rules: TierRules) -> dict:
    return {"version": rules.version, "measure": rules.measure,
            "tiers": [asdict(tier) for tier in rules.tiers]}


def rules_from(body: TierRulesBody) -> TierRules:
    """The rules a body asks for; a nonsense ladder raises `TierRuleViolation` (422)."""
    ladder = tuple(Tier(t.name, t.spend_threshold, t.recharge_threshold,
                        Benefits(**t.benefits.model_dump())) for t in body.tiers)
    return TierRules(body.measure, ladder)


def tiers_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(tags=["tiers"], responses=PROBLEM_RESPONSES)
    settings = context.settings
    default = settings.default_rules()

    @router.get("/v1/tiers", response_model=TierRulesView, summary="The tier rules in force")
    async def current_rules(caller: Caller) -> dict:
        async with context.engine.connect() as db:
            return rules_view(await tiers.rules_in_force(db, default))

    @router.post("/v1/tiers/rules", status_code=201, response_model=TierRulesView,
                 summary="Publish a new version of the tier rules (ops:config)")
    async def publish(body: TierRulesBody, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        rules = rules_from(body)
        async with context.uow() as uow:
            published = await tiers.publish_rules(uow.connection, rules, caller.identity,
                                                      uow.clock.now())
            # the one source of the multipliers rewards pays (docs/tiering.md)
            uow.emit(published_program(published, uow.clock.now()))
        return rules_view(published)

    @router.get("/v1/tiers/rules", response_model=TierRulesHistory,
                summary="Every published version of the tier rules: who and when (ops:config)")
    async def rules_history(caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            return {"items": await tiers.rules_history(db)}

    @router.get("/v1/tiers/rules/{version}", response_model=TierRulesView,
                summary="One version of the tier rules (ops:config)")
    async def rules_version(version: Annotated[int, Path(ge=0, le=2**31 - 1)], caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            return rules_view(await tiers.rules_version(db, version, default))

    @router.get("/v1/members/{member_id}/tier",
                summary="A member's tier, benefits, qualifying amounts and progress")
    async def member_tier(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, pos=True)  # a checkout applies its benefits
        async with context.engine.connect() as db:
            member = await enrolled_member(db, member_id)
            rules = await tiers.rules_in_force(db, default)
            standing = await qualifying.standing(db, member_id, context.clock.now())
        shown = progress(rules, member.tier, standing, MINOR_UNIT_EXPONENT.get(settings.currency, 2))
        return {
            "member_id": member_id, "tier": member.tier, "tier_since": member.tier_since,
            "benefits": asdict(rules.tier(member.tier).benefits), "currency": settings.currency,
            "measure": rules.measure, "spend_12m": standing.spend_12m,
            "lifetime_recharge": standing.lifetime_recharge, "next_review_at": member.review_at,
            "progress": asdict(shown), "rules_version": rules.version,
        }

    @router.get("/v1/members/{member_id}/tier-changes", response_model=Page[TierChangeView],
                summary="A member's tier history, newest first")
    async def member_tier_changes(member_id: PathId, caller: Caller, limit: Limit = 50,
                                  cursor: Cursor = None) -> dict:
        require_member_reader(caller, member_id)
        after = decode_cursor(cursor, 1)
        statement = (select(tier_changes).where(tier_changes.c.member_id == member_id)
                     .order_by(tier_changes.c.change_id.desc()).limit(limit + 1))
        if after is not None:
            if type(after[0]) is not int or not 0 < after[0] < 2**63:
                raise invalid_cursor()
            statement = statement.where(tier_changes.c.change_id < after[0])
        async with context.engine.connect() as db:
            rows = [dict(row._mapping) for row in await db.execute(statement)]
        return page(rows, limit, lambda row: [row["change_id"]])

    return router
