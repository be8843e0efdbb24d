"""The referral expiry sweep: every `expiry_every_seconds`, the referrals whose window
closed become `expired` (store/expiry.py)."""

from __future__ import annotations

from services.referral.settings import ReferralSettings
from services.referral.store.expiry import expire_due
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext


def referral_expiry(context: ServiceContext[ReferralSettings]) -> BackgroundJob:
    return periodic("referral_expiry", context.settings.expiry_every_seconds,
                    lambda: expire_due(context.uow, context.clock.now()))
