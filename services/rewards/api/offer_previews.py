"""What draft offer versions would give on a sample recharge, beside what the published
offers give, before anything is published (`ops:config`; the console's program setup
shows it). Nothing is saved: no version, no budget charge, no member use."""

from __future__ import annotations

from fastapi import APIRouter

from services.rewards.api.offer_preview_schemas import (
    RECHARGE_KINDS,
    OfferPreviewRequest,
    OfferPreviewView,
)
from services.rewards.api.offers import checked_terms
from services.rewards.rules.offers import BonusQuote, RechargeFacts, quote_bonus
from services.rewards.settings import RewardsSettings
from services.rewards.store.offer_previews import published_and_draft
from shared.http.auth import Caller, require_scope
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def quote_view(quote: BonusQuote) -> dict:
    return {"bonus": quote.amount, "rules": [
        {"offer_id": r.offer_id, "name": r.name, "amount": r.amount} for r in quote.rules]}


def offer_previews_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/offers", tags=["offers"], responses=PROBLEM_RESPONSES)

    @router.post("/preview", response_model=OfferPreviewView,
                 summary="The bonus a sample recharge would get with draft offer versions, "
                         "beside what it gets now; saves nothing (ops:config)")
    async def preview(body: OfferPreviewRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        at = body.recharge.at or context.clock.now()
        drafts = []
        for draft in body.drafts:
            if draft.kind not in RECHARGE_KINDS:
                raise Problem(422, "not_a_recharge_offer",
                              f"A {draft.kind} offer does not decide a recharge bonus.")
            starts = draft.effective_from or at
            if draft.effective_to is not None and draft.effective_to <= starts:
                raise Problem(422, "invalid_effective_window",
                              "effective_to must be after effective_from.")
            drafts.append({"offer_id": draft.offer_id, "kind": draft.kind, "name": draft.name,
                           "currency": draft.currency, "terms": checked_terms(draft),
                           "effective_from": starts, "effective_to": draft.effective_to,
                           "budget": draft.budget})
        sample = body.recharge
        facts = RechargeFacts(
            amount=sample.amount, is_first_recharge=sample.is_first_recharge,
            lifetime_recharged=sample.lifetime_before + sample.amount, at=at,
            local_weekday=at.astimezone(context.settings.zone()).weekday(), tier=sample.tier,
            segments=frozenset(sample.segments), segment_ids=frozenset(sample.segment_ids))
        async with context.engine.connect() as db:
            published, draft = await published_and_draft(db, body.currency, at, drafts)
        return {"currency": body.currency, "amount": sample.amount,
                "published": quote_view(quote_bonus(facts, published)),
                "draft": quote_view(quote_bonus(facts, draft))}

    return router
