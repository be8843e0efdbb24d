"""Notifier HTTP API: contacts and consents, the in-app inbox and delivery log, ops resends,
unsubscribe links, template previews and versions, webhook subscriptions, ops recipients of the
scheduled reports."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifier.api.contacts import contacts_router
from services.notifier.api.inbox import inbox_router
from services.notifier.api.ops_recipients import ops_recipients_router
from services.notifier.api.receipts import receipts_router
from services.notifier.api.reports import reports_router
from services.notifier.api.resends import resends_router
from services.notifier.api.template_versions import template_versions_router
from services.notifier.api.templates import templates_router
from services.notifier.api.unsubscribe import unsubscribe_router
from services.notifier.api.webhooks import webhooks_router
from services.notifier.settings import NotifierSettings
from shared.http.app import service_app
from shared.http.data_export_parts import data_export_parts_router
from shared.service import ServiceContext


def create_app(context: ServiceContext[NotifierSettings]) -> FastAPI:
    return service_app(
        context, title="Patronage notifier",
        description="Reaching members: contacts and consent, the in-app inbox, the delivery "
                    "log, one-click unsubscribe, template previews, providers' delivery "
                    "receipts, reports, signed webhooks for systems without Kafka and "
                    "the scheduled reports' ops recipients.",
        routers=[contacts_router(context), inbox_router(context), unsubscribe_router(context),
                 templates_router(context), receipts_router(context), reports_router(context),
                 data_export_parts_router(context), webhooks_router(context),
                 ops_recipients_router(context), template_versions_router(context),
                 resends_router(context)],
    )
