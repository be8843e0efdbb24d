"""The in-app inbox as a channel: the message is stored for the app, in the delivery's
own transaction, under the notification's id (so a retried delivery stores it once)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.channels import Outgoing
from services.notifier.store import inbox
from shared.clock import Clock


class InboxChannel:
    def __init__(self, connection: AsyncConnection, clock: Clock) -> None:
        self.connection, self.clock = connection, clock

    async def send(self, message: Outgoing) -> str | None:
        await inbox.put(self.connection, message.notification_id, message.member_id,
                        message.kind, message.rendered.subject, message.rendered.text,
                        self.clock.now())
        return str(message.notification_id)
