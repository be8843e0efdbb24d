"""Renewal prices as versions (docs/tiering.md "Renewal prices"): the versions with who
published each and when, publishing a new one (ops:config), and previewing a draft's quotes
beside the version in force (saving nothing). A price list under which a longer term might
not be cheaper per year is refused with 422 and the code of what is wrong, the figure at
fault in `errors[].location`."""

from __future__ import annotations

from fastapi import APIRouter

from services.tiering.api.renewal_price_schemas import (
    RenewalPriceHistory,
    RenewalPricePreview,
    RenewalPrices,
    RenewalPriceVersion,
)
from services.tiering.rules.quotes import InvalidPriceList, PriceList
from services.tiering.rules.renewal_previews import preview_rows
from services.tiering.settings import TieringSettings
from services.tiering.store import renewal_prices
from services.tiering.store.renewal_prices import PriceVersion, RenewalPriceCache
from shared.http.auth import Caller, require_scope
from shared.http.member_access import require_ops_scope
from shared.http.problems import PROBLEM_RESPONSES
from shared.rule_violations import RuleViolation
from shared.service import ServiceContext

# the price list's own names (rules/quotes.py) -> the body's (the settings' names)
BODY_NAMES = {"lengths": "lengths", "length_bps": "length_discount_bps",
              "segment_bps": "segment_discount_bps", "early_bps": "early_renewal_bps",
              "win_back_bps": "win_back_bps", "first_renewal_bps": "first_renewal_bps",
              "upgrade_surcharge_bps": "upgrade_surcharge_bps",
              "floor_per_year": "renewal_floor_per_year"}


def price_list(body: RenewalPrices, currency: str) -> PriceList:
    """The price list a body asks for; refused (422, the rule's code) if a longer term
    might not be cheaper per year."""
    try:
        return PriceList(currency, body.price_per_year, tuple(body.lengths),
                         body.length_discount_bps, body.segment_discount_bps,
                         body.early_renewal_bps, body.early_renewal_days, body.win_back_bps,
                         body.first_renewal_bps, body.renewal_floor_per_year,
                         body.upgrade_surcharge_bps)
    except InvalidPriceList as refused:
        name, _, key = refused.field.partition(".")
        location = ["body", BODY_NAMES[name], *([key] if key else [])]
        raise RuleViolation(refused.code, refused.detail,
                            errors=[{"location": location, "message": refused.detail}]) from None


def version_view(version: PriceVersion) -> dict:
    p = version.prices
    return {"version": version.version, "currency": p.currency,
            "created_by": version.created_by, "created_at": version.created_at,
            "price_per_year": p.price_per_year, "lengths": list(p.lengths),
            "length_discount_bps": dict(p.length_bps), "segment_discount_bps": dict(p.segment_bps),
            "early_renewal_bps": p.early_bps, "early_renewal_days": p.early_days,
            "win_back_bps": p.win_back_bps, "first_renewal_bps": p.first_renewal_bps,
            "renewal_floor_per_year": p.floor_per_year,
            "upgrade_surcharge_bps": p.upgrade_surcharge_bps}


def renewal_prices_router(context: ServiceContext[TieringSettings],
                          cache: RenewalPriceCache) -> APIRouter:
    router = APIRouter(prefix="/v1/renewal-prices", tags=["renewal prices"],
                       responses=PROBLEM_RESPONSES)
    settings = context.settings
    seed = settings.price_list()

    @router.get("", response_model=RenewalPriceHistory,
                summary="Every renewal price version, newest first: who and when "
                        "(ops:config or ops:report)")
    async def history(caller: Caller) -> dict:
        require_ops_scope(caller, "ops:config", "ops:report")
        async with context.engine.begin() as db:  # stores version 1 on first use
            versions = await renewal_prices.history(db, seed, context.clock.now())
        return {"items": [version_view(v) for v in versions]}

    @router.post("", status_code=201, response_model=RenewalPriceVersion,
                 summary="Publish a new renewal price version (ops:config)")
    async def publish(body: RenewalPrices, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        prices = price_list(body, settings.currency)
        async with context.uow() as uow:
            published = await renewal_prices.publish(uow.connection, prices, seed,
                                                      caller.identity, uow.clock.now())
        cache.published(published)  # this replica quotes with it at once
        return version_view(published)

    @router.post("/preview", response_model=RenewalPricePreview,
                 summary="A draft's quotes per length, segment and status beside the version "
                         "in force; saves nothing (ops:config)")
    async def preview(body: RenewalPrices, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        draft = price_list(body, settings.currency)
        current = await cache.current()
        return {"current_version": current.version, "currency": settings.currency,
                "rows": preview_rows(current.prices, draft, context.clock.now())}

    return router
