"""Ops reports: messages by kind and channel, the opt-out rate, and renewals of members a
reminder reached against members it did not."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from services.notifier.api.schemas import NotificationsReport
from services.notifier.store import reports
from shared.http.auth import Caller, require_scope
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

MAX_WINDOW = timedelta(days=366)
Moment = Annotated[datetime | None, Query(description="ISO 8601 with a time zone.")]


def window(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """[since, until): by default the 30 days to now; at most `MAX_WINDOW` long."""
    for moment in (since, until):
        if moment is not None and moment.tzinfo is None:
            raise Problem(422, "time_zone_required", "Give times with a zone, e.g. ...T00:00:00Z.")
    until = until or now
    since = since or until - timedelta(days=30)
    if not since < until:
        raise Problem(422, "empty_window", "since must be before until.")
    if until - since > MAX_WINDOW:
        raise Problem(422, "window_too_long", "A report covers at most 366 days.")
    return since, until


def reports_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=PROBLEM_RESPONSES)

    @router.get("/notifications", response_model=NotificationsReport,
                summary="Messages, opt-outs and renewals after reminders")
    async def notifications_report(caller: Caller, since: Moment = None, until: Moment = None) -> dict:
        require_scope(caller, "ops:report")
        since, until = window(since, until, context.clock.now())
        async with context.uow() as uow:
            counts = await reports.by_kind_and_channel(uow.connection, since, until)
            withdrawals, marketing_sent = await reports.opt_outs(uow.connection, since, until)
            cohorts = await reports.renewals_after_reminders(uow.connection, since, until)
        reminded, not_reminded = cohorts.get(True, (0, 0)), cohorts.get(False, (0, 0))
        return {
            "since": since, "until": until, "by_kind_and_channel": counts,
            "opt_outs": {"withdrawals": withdrawals, "marketing_sent": marketing_sent,
                         "rate_bps": withdrawals * 10_000 // marketing_sent if marketing_sent else None},
            "reminded": {"members": reminded[0], "renewed": reminded[1]},
            "not_reminded": {"members": not_reminded[0], "renewed": not_reminded[1]},
        }

    return router
