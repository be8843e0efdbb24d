"""Entitlements: the benefit definitions (ops:config), what a member holds and has left,
redeeming one at the POS (idempotent), and reversing a redemption (ops:adjust)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from services.tiering.api.schemas import (
    BenefitDefinitionsBody,
    BenefitDefinitionsView,
    MemberEntitlementsView,
    RedemptionReceipt,
    ReversalBody,
    ReversalReceipt,
)
from services.tiering.rules.entitlements import Benefit, Definitions, check_definitions
from services.tiering.settings import TieringSettings
from services.tiering.store import entitlement_redemptions, entitlements, tiers
from services.tiering.store.members import enrolled_member
from shared.http.auth import Caller, require_role, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId
from shared.http.member_access import require_member_reader
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def definitions_view(definitions: Definitions) -> dict:
    return {"version": definitions.version, "benefits": [
        {"code": b.code, "name": {"zh": b.name_zh, "en": b.name_en}, "quota": b.quota,
         "period": b.period, "tiers": list(b.tiers)} for b in definitions.benefits]}


def entitlements_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(tags=["entitlements"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.get("/v1/entitlements/definitions", response_model=BenefitDefinitionsView,
                summary="The benefit definitions in force (ops:config)")
    async def current_definitions(caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            return definitions_view(await entitlements.definitions_in_force(db))

    @router.post("/v1/entitlements/definitions", status_code=201,
                 response_model=BenefitDefinitionsView,
                 summary="Publish a new version of the benefit definitions (ops:config)",
                 description="Grants made from now on follow it; entitlements already granted "
                 "keep their quota. 422 `duplicate_benefit_code`, `benefit_without_tiers`, "
                 "`unknown_tier` (a tier not in the tier rules in force).")
    async def publish(body: BenefitDefinitionsBody, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        benefits = tuple(Benefit(b.code, b.name.zh, b.name.en, b.quota, b.period, b.tiers)
                         for b in body.benefits)
        async with context.uow() as uow:
            rules = await tiers.rules_in_force(uow.connection, settings.default_rules())
            definitions = check_definitions(benefits, tuple(t.name for t in rules.tiers))
            published = await entitlements.publish_definitions(
                uow.connection, definitions, caller.identity, uow.clock.now())
        return definitions_view(published)

    @router.get("/v1/members/{member_id}/entitlements", response_model=MemberEntitlementsView,
                summary="What a member is entitled to now and later, and what is left")
    async def member_entitlements(member_id: PathId, caller: Caller) -> dict:
        require_member_reader(caller, member_id, pos=True)  # the till shows what is left
        async with context.engine.connect() as db:
            await enrolled_member(db, member_id)
            definitions = await entitlements.definitions_in_force(db)
            held = await entitlements.held_by(db, member_id, context.clock.now())
        for row in held:
            benefit = definitions.benefit(row["code"])
            row["name"] = {"zh": benefit.name_zh, "en": benefit.name_en} if benefit else None
        return {"member_id": member_id, "items": held}

    @router.post("/v1/members/{member_id}/entitlements/{code}/redemptions", status_code=201,
                 response_model=RedemptionReceipt,
                 summary="Redeem one of a member's entitlements at this terminal's store",
                 description="A POS terminal's key; the redemption records its store and "
                 "terminal. Needs an Idempotency-Key: a retry replays the first answer. 409 "
                 "`entitlement_used_up` when the period's quota is used; 404 "
                 "`entitlement_not_granted`, `benefit_not_found`, `member_not_found`; 422 "
                 "`entitlement_not_redeemable` (a standing benefit with no quota).")
    async def redeem(member_id: PathId, code: PathId, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        require_role(caller, "pos")
        store_id, terminal_id = caller.store_id or "", caller.subject

        async def work(uow) -> RedemptionReceipt:
            receipt = await entitlement_redemptions.redeem(
                uow, member_id, code, store_id, terminal_id, settings.time_zone)
            return RedemptionReceipt(**receipt)

        return await idempotent_post(
            context.uow, caller, f"POST /v1/members/{member_id}/entitlements/{code}/redemptions",
            idempotency_key, {"member_id": member_id, "code": code}, work)

    @router.post("/v1/entitlement-redemptions/{redemption_id}/reversal",
                 response_model=ReversalReceipt,
                 summary="Reverse a redemption (ops:adjust), with the reason; audited",
                 description="The quota is free again. 404 `redemption_not_found`; 409 "
                 "`redemption_already_reversed`.")
    async def reverse(redemption_id: UUID, body: ReversalBody, caller: Caller) -> dict:
        require_scope(caller, "ops:adjust")
        async with context.uow() as uow:
            return await entitlement_redemptions.reverse(uow, redemption_id, caller.identity,
                                                         body.reason)

    return router

