"""Rewards HTTP API: one router per resource."""

from __future__ import annotations

from fastapi import FastAPI

from services.rewards.api.coupon_issues import coupon_issues_router
from services.rewards.api.coupons import coupons_router
from services.rewards.api.experiments import experiments_router
from services.rewards.api.kpis import kpis_router
from services.rewards.api.members import members_router
from services.rewards.api.offer_previews import offer_previews_router
from services.rewards.api.offers import offers_router
from services.rewards.api.points import points_router
from services.rewards.api.reports import reports_router
from services.rewards.api.reviews import reviews_router
from services.rewards.api.scheduled_reports import scheduled_reports_router
from services.rewards.api.segments import segments_router
from services.rewards.settings import RewardsSettings
from shared.http.app import service_app
from shared.http.data_export_parts import data_export_parts_router
from shared.service import ServiceContext


def create_app(context: ServiceContext[RewardsSettings]) -> FastAPI:
    return service_app(
        context, title="Patronage rewards",
        description="Recharge offers and campaigns, the fraud screen and its review queue, "
                    "points and coupons, member segments, the program's KPIs and "
                    "scheduled reports, experiments with holdouts.",
        routers=[offers_router(context), reviews_router(context), coupons_router(context),
                 points_router(context), members_router(context), reports_router(context),
                 coupon_issues_router(context), segments_router(context),
                 data_export_parts_router(context), kpis_router(context),
                 scheduled_reports_router(context), experiments_router(context),
                 offer_previews_router(context)],
    )
