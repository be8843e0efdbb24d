"""What the wallet runs on a clock: the payment intents' expiry
(`jobs/payment_intent_expiry.py`) and the bonus expiry sweep (`jobs/bonus_expiry.py`,
leader-locked). Bonus lots also expire when a purchase touches the wallet (in its own
transaction), by `POST /v1/ops/expire-bonus-lots`, and by `patronage wallet expire`."""

from __future__ import annotations

from collections.abc import Sequence

from services.wallet.jobs.bonus_expiry import bonus_expiry_sweep
from services.wallet.jobs.payment_intent_expiry import payment_intent_sweep
from services.wallet.settings import WalletSettings
from shared.db.data_export_expiry import data_export_parts_expiry
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[WalletSettings]) -> Sequence[BackgroundJob]:
    return (payment_intent_sweep(context), bonus_expiry_sweep(context),
            data_export_parts_expiry(context))
