"""Offers: the public list of what is live now (POS and app show it before the member
pays), and ops' versioned changes (`ops:config`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ValidationError

from services.rewards.api.schemas import BUDGETED, NEEDS_CURRENCY, TERMS, Currency, Id, OfferVersionRequest
from services.rewards.rules.member_days import discounts_on, line_discount, member_day_discount
from services.rewards.settings import RewardsSettings
from services.rewards.store import offers
from shared.http.auth import Caller, require_scope
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def offer_view(row: Mapping[str, Any]) -> dict:
    view = {k: row[k] for k in ("offer_id", "version", "kind", "name", "currency", "terms",
                                "effective_from", "effective_to")}
    if row.get("budget") is not None:
        view["budget"] = {"total": row["budget"], "spent": row["spent"],
                          "remaining": row["budget"] - row["spent"]}
    return view


def checked_terms(body: OfferVersionRequest) -> dict:
    try:
        terms = TERMS[body.kind].model_validate(body.terms).model_dump(mode="json")
    except ValidationError as error:
        raise Problem(422, "invalid_offer_terms", f"terms do not fit a {body.kind} offer.",
                      errors=[{"location": list(e["loc"]), "message": e["msg"]}
                              for e in error.errors()]) from error
    if body.kind in NEEDS_CURRENCY and body.currency is None:
        raise Problem(422, "currency_required", f"A {body.kind} offer is in one currency.")
    if body.budget is not None and body.kind not in BUDGETED:
        raise Problem(422, "budget_not_applicable", f"A {body.kind} offer has no budget.")
    return terms


def offers_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/offers", tags=["offers"], responses=PROBLEM_RESPONSES)

    @router.get("/live", summary="Offers live now (public: POS and apps show them)")
    async def live(currency: Annotated[Currency, Query()] = "CNY") -> dict:
        async with context.engine.connect() as db:
            rows = await offers.live_offers(db, context.clock.now(), currency)
        return {"currency": currency, "items": [offer_view(row) for row in rows]}

    @router.get("/member-day", summary="Today's member-day product discounts (public: the till "
                "applies them to a member's lines of the category)")
    async def member_day(currency: Annotated[Currency, Query()] = "CNY",
                         category: Annotated[Id | None, Query()] = None,
                         amount: Annotated[int | None, Query(
                             ge=0, le=10**12, description="A line's amount: each item then "
                             "says the discount on it.")] = None) -> dict:
        now = context.clock.now()
        weekday = now.astimezone(context.settings.zone()).weekday()
        async with context.engine.connect() as db:
            rows = await offers.live_offers(db, now, currency)
        found = discounts_on([member_day_discount(r) for r in rows
                              if r["kind"] == "member_day_discount"], weekday, category)
        return {"currency": currency, "weekday": weekday, "items": [
            {"offer_id": d.offer_id, "name": d.name, "category": d.category, "bps": d.bps,
             **({} if amount is None else {"discount": line_discount(amount, d.bps)})}
            for d in found]}

    @router.post("/{offer_id}/versions", status_code=201,
                 summary="Change an offer: a new version from effective_from (ops:config)")
    async def add_version(offer_id: Id, body: OfferVersionRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        terms = checked_terms(body)
        now = context.clock.now()
        starts = body.effective_from or now
        if body.effective_to is not None and body.effective_to <= starts:
            raise Problem(422, "invalid_effective_window", "effective_to must be after effective_from.")
        async with context.uow() as uow:
            version = await offers.add_version(uow.connection, {
                "offer_id": offer_id, "kind": body.kind, "name": body.name,
                "currency": body.currency, "terms": json.dumps(terms), "effective_from": starts,
                "effective_to": body.effective_to, "created_by": caller.identity,
                "created_at": now, "budget": body.budget})
        return {"offer_id": offer_id, "version": version, "kind": body.kind, "name": body.name,
                "currency": body.currency, "terms": terms, "effective_from": starts,
                "effective_to": body.effective_to, "created_by": caller.identity}

    @router.get("/{offer_id}/versions", summary="Every version of an offer (ops:config)")
    async def versions(offer_id: Id, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.engine.connect() as db:
            rows = await offers.offer_versions(db, offer_id)
        if not rows:
            raise Problem(404, "offer_not_found", f"No offer {offer_id}.")
        return {"items": [{**offer_view({**row, "budget": None}), "created_by": row["created_by"],
                           "created_at": row["created_at"]} for row in rows]}

    return router
