"""The delivery job: sends the due messages, retries, falls back, records the outcome.

`run_once(now)` sends everything due at `now`; `run(stop)` calls it every
`delivery_interval_seconds`. Each batch is one transaction that first takes
`pg_try_advisory_xact_lock(<delivery>)`: one replica delivers at a time (so caps are
counted against a settled log); the others find the lock taken and wait for their turn.
Due rows are locked FOR UPDATE SKIP LOCKED and range-scanned on the pending index.

Per message (see `Attempt`): quiet hours defer it; a marketing message over the caps is
suppressed; otherwise it goes out on the first channel the member can be reached on and
consents to. A transient failure is retried with exponential backoff, up to
`max_attempts` on a channel; a permanent one, or running out of attempts, moves it to the
next channel; when none is left it is failed and `NotificationFailed` emitted. A sent
message emits `NotificationSent`. Delivery is at least once: if the transaction fails
after a provider accepted a message, that message goes out again on the next run.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from services.notifier.channels import Channel
from services.notifier.channels.email import LoggedEmail, SmtpEmail
from services.notifier.channels.inbox import InboxChannel
from services.notifier.channels.provider import ProviderApi
from services.notifier.jobs.attempts import Attempt
from services.notifier.settings import NotifierSettings
from services.notifier.store import notifications
from services.notifier.store.template_overrides import overrides_of
from shared.jobs import PeriodicJob, leads, periodic
from shared.service import ServiceContext


def external_channels(settings: NotifierSettings, client: httpx.AsyncClient,
                      environment: str) -> dict[str, Channel]:
    """The channels configured in settings, besides the inbox. Without an SMTP server,
    email goes to the log in dev (or when `email_to_log`), and nowhere elsewhere."""
    channels: dict[str, Channel] = {}
    if settings.smtp_host:
        channels["email"] = SmtpEmail(settings)
    elif settings.email_on(environment):
        channels["email"] = LoggedEmail()
    secret = settings.provider_secret.get_secret_value()
    for channel, url in settings.provider_urls().items():
        channels[channel] = ProviderApi(channel, url, settings.provider_key, secret, client)
    return channels


class DeliveryJob:
    def __init__(self, context: ServiceContext[NotifierSettings],
                 settings: NotifierSettings | None = None) -> None:
        self.context = context
        self.settings = settings or context.settings
        self.client = httpx.AsyncClient(timeout=self.settings.send_timeout_seconds)
        self.channels = external_channels(self.settings, self.client, context.platform.environment)
        self.overrides = overrides_of(context.engine)

    async def run_once(self, now: datetime) -> int:
        """Messages handled (sent, deferred, retried, failed or suppressed) at `now`."""
        handled = 0
        while True:
            async with self.context.uow() as uow:
                if not await leads(uow.connection, "notifier.delivery"):
                    return handled
                await self.overrides.ensure_loaded(uow.connection)
                rows = await notifications.due(uow.connection, now, self.settings.delivery_batch_size)
                channels = {**self.channels, "inbox": InboxChannel(uow.connection, uow.clock)}
                for row in rows:
                    await Attempt(uow, row, channels, self.settings, now, self.overrides).run()
            handled += len(rows)
            if len(rows) < self.settings.delivery_batch_size:
                return handled

    def job(self) -> PeriodicJob:
        """Every `delivery_interval_seconds` until the runtime stops; the HTTP client closes after."""
        return periodic("notifier_delivery", self.settings.delivery_interval_seconds,
                        lambda: self.run_once(self.context.clock.now()), on_stop=self.client.aclose)
