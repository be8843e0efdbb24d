"""The referral program report (`ops:report`) over [from, to)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.referral.settings import ReferralSettings
from services.referral.store.reports import program_report
from shared.http.auth import Caller, require_scope
from shared.http.moments import Moment
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def reports_router(context: ServiceContext[ReferralSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=PROBLEM_RESPONSES)

    @router.get("/program", summary="Referral share of new members, conversion, cost, "
                "top referrers, held and revoked")
    async def program(caller: Caller, start: Annotated[Moment, Query(alias="from")],
                      end: Annotated[Moment, Query(alias="to")],
                      top: Annotated[int, Query(ge=1, le=100)] = 10) -> dict:
        require_scope(caller, "ops:report")
        if end <= start:
            raise Problem(422, "invalid_period", "'to' must be after 'from'.")
        async with context.uow() as uow:
            return await program_report(uow.connection, start, end,
                                        context.settings.default_program(), top)

    return router
