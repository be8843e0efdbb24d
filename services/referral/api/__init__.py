"""Referral HTTP API: codes, referrals (the member's page, late attribution), the review
queue, programs and the report."""

from __future__ import annotations

from fastapi import FastAPI

from services.referral.api.codes import codes_router
from services.referral.api.programs import programs_router
from services.referral.api.referrals import referrals_router
from services.referral.api.reports import reports_router
from services.referral.api.reviews import reviews_router
from shared.http.app import service_app
from shared.http.data_export_parts import data_export_parts_router
from shared.service import ServiceContext


def create_app(context: ServiceContext) -> FastAPI:
    return service_app(
        context, title="Patronage referral",
        description="Referral codes and share links, attribution, qualification, the "
                    "anti-abuse review queue, versioned programs and the program report.",
        routers=[codes_router(context), referrals_router(context), reviews_router(context),
                 programs_router(context), reports_router(context),
                 data_export_parts_router(context)],
    )
