"""The notifier, as the runtime sees it: API, outreach-event handlers, the delivery job,
and the webhook consumer and delivery job."""

from __future__ import annotations

from pathlib import Path

from services.notifier.api import create_app
from services.notifier.handlers import HANDLERS, WEBHOOK_HANDLERS
from services.notifier.jobs import background_jobs
from services.notifier.settings import DEV_SECRET, NotifierSettings, get_notifier_settings
from services.notifier.store import tables
from shared.service import ServiceSpec, SideConsumer

SPEC: ServiceSpec[NotifierSettings] = ServiceSpec(
    name="notifier",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=get_notifier_settings,
    create_app=create_app,
    handlers=HANDLERS,
    subscribes_to=("tiering", "wallet", "rewards", "referral"),
    background=background_jobs,
    revoked_keys=tables.revoked_terminal_keys,
    secrets=lambda settings: {"PATRONAGE_NOTIFIER_LINK_SECRET": settings.link_secret,
                              "PATRONAGE_NOTIFIER_PROVIDER_SECRET": settings.provider_secret},
    dev_secret_values=frozenset({DEV_SECRET}),
    # webhooks read every topic in their own group: their lag never delays outreach
    side_consumers=(SideConsumer("webhooks", WEBHOOK_HANDLERS),),
)
