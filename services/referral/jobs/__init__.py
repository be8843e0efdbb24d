"""What referral does on a clock, beside its consumer: the expiry of referrals whose window
closed (jobs/referral_expiry.py), run every so many seconds by every replica (safe to run
concurrently: each referral expires once)."""

from __future__ import annotations

from services.referral.jobs.referral_expiry import referral_expiry
from services.referral.settings import ReferralSettings
from shared.db.data_export_expiry import data_export_parts_expiry
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[ReferralSettings]) -> tuple[BackgroundJob, ...]:
    return (referral_expiry(context), data_export_parts_expiry(context))
