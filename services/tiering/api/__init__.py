"""Tiering HTTP API: members (and their corrections), tiers and rules, memberships and
quotes, renewal prices as versions, reports, members' data exports and erasures, entitlements."""

from __future__ import annotations

from fastapi import FastAPI

from services.tiering.api.corrections import corrections_router
from services.tiering.api.data_exports import data_exports_router
from services.tiering.api.entitlements import entitlements_router
from services.tiering.api.erasure import erasure_router
from services.tiering.api.members import members_router
from services.tiering.api.memberships import memberships_router
from services.tiering.api.renewal_prices import renewal_prices_router
from services.tiering.api.reports import reports_router
from services.tiering.api.tier_grants import tier_grants_router
from services.tiering.api.tiers import tiers_router
from services.tiering.settings import TieringSettings
from services.tiering.store.renewal_prices import RenewalPriceCache
from shared.http.app import service_app
from shared.service import ServiceContext


def create_app(context: ServiceContext[TieringSettings]) -> FastAPI:
    # one per replica: the quotes read renewal prices from memory, publishing refreshes it
    prices = RenewalPriceCache(context.engine, context.settings.price_list(),
                               context.settings.renewal_prices_refresh_seconds, context.clock.now)
    return service_app(
        context, title="Patronage tiering",
        description="The member registry, tiers and their benefits, tier grants, paid "
                    "memberships, renewal quotes and reports; members' erasure; entitlements.",
        routers=[members_router(context), tiers_router(context),
                 memberships_router(context, prices), renewal_prices_router(context, prices),
                 reports_router(context), corrections_router(context),
                 data_exports_router(context), tier_grants_router(context),
                 erasure_router(context), entitlements_router(context)],
    )
