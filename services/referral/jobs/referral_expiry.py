"""The referral expiry sweep: every `expiry_every_seconds`, the referrals whose window
closed become `expired` (store/expiry.py)."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from services.referral.settings import ReferralSettings
from services.referral.store.expiry import expire_due
from shared.service import BackgroundJob, ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


def referral_expiry(context: ServiceContext[ReferralSettings]) -> BackgroundJob:
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if expired := await expire_due(context.uow, context.clock.now()):
                    log.info("referrals_expired", count=expired)
            except Exception as error:  # the next sweep retries; never kill the service
                log.warning("referral_expiry_failed", error=repr(error))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), context.settings.expiry_every_seconds)

    return run
