"""Ops reports: messages by kind and channel, the opt-out rate, and renewals of members a
reminder reached against members it did not."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from services.notifier.api.schemas import NotificationsReport
from services.notifier.store import reports
from shared.http.auth import Caller, require_scope
from shared.http.moments import Moment
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

MAX_PERIOD = timedelta(days=366)
From = Annotated[Moment, Query(alias="from", description="Start, inclusive.")]
To = Annotated[Moment, Query(alias="to", description="End, exclusive.")]


def reports_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=PROBLEM_RESPONSES)

    @router.get("/notifications", response_model=NotificationsReport,
                summary="Messages, opt-outs and renewals after reminders")
    async def notifications_report(caller: Caller, since: From, until: To) -> dict:
        require_scope(caller, "ops:report")
        if not since < until:
            raise Problem(422, "invalid_period", "`to` must be after `from`.")
        if until - since > MAX_PERIOD:
            raise Problem(422, "period_too_long", "A report covers at most 366 days.")
        async with context.uow() as uow:
            counts = await reports.by_kind_and_channel(uow.connection, since, until)
            withdrawals, marketing_sent = await reports.opt_outs(uow.connection, since, until)
            cohorts = await reports.renewals_after_reminders(uow.connection, since, until)
        reminded, not_reminded = cohorts.get(True, (0, 0)), cohorts.get(False, (0, 0))
        return {
            "from": since, "to": until, "by_kind_and_channel": counts,
            "opt_outs": {"withdrawals": withdrawals, "marketing_sent": marketing_sent,
                         "rate_bps": withdrawals * 10_000 // marketing_sent if marketing_sent else None},
            "reminded": {"members": reminded[0], "renewed": reminded[1]},
            "not_reminded": {"members": not_reminded[0], "renewed": not_reminded[1]},
        }

    return router
