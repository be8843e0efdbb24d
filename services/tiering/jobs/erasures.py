"""Erasures on a clock (leader-locked, `tiering.erasures`, in batches): requests whose
cooling-off has ended start (store/erasure.py), and, when the merchant set
`inactive_member_retention_days`, members inactive that long are erased with reason
`retention` (no cooling-off: nobody asked, so nobody could cancel). Once only: a member
has at most one live request (a unique index), and starting one is a status change made
under the member's row lock."""

from __future__ import annotations

from datetime import datetime

from services.tiering.rules.erasure import retention_cutoff
from services.tiering.settings import TieringSettings
from services.tiering.store.erasure import request_erasure, start_due_erasures
from services.tiering.store.retention import inactive_members
from shared.jobs import leads
from shared.service import ServiceContext

JOB = "tiering.erasures"
RETENTION_ACTOR = "retention"


async def run_erasures(context: ServiceContext[TieringSettings], settings: TieringSettings,
                       now: datetime) -> tuple[int, int]:
    """(requests started after their cooling-off, members erased by retention)."""
    started = retained = 0
    while True:
        async with context.uow() as uow:
            if not await leads(uow.connection, JOB):
                return started, retained
            count = await start_due_erasures(uow, now, settings.scheduler_batch_size)
        started += count
        if count < settings.scheduler_batch_size:
            break
    if settings.inactive_member_retention_days is None:
        return started, retained
    cutoff = retention_cutoff(now, settings.inactive_member_retention_days)
    while True:
        async with context.uow() as uow:
            if not await leads(uow.connection, JOB):
                return started, retained
            inactive = await inactive_members(uow.connection, cutoff, settings.scheduler_batch_size)
            for member_id in inactive:
                await request_erasure(uow, member_id, RETENTION_ACTOR, "retention", 0)
        retained += len(inactive)
        if len(inactive) < settings.scheduler_batch_size:
            return started, retained
