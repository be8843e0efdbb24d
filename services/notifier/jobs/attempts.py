"""One delivery attempt of one message, in the delivery job's transaction (see delivery.py
for the whole policy)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Row

from services.notifier.channels import Channel, Outgoing, PermanentFailure, TransientFailure
from services.notifier.rules.channels import candidates
from services.notifier.rules.kinds import KINDS
from services.notifier.rules.templates import Rendered, render, supported_locale
from services.notifier.rules.timing import backoff, day_start
from services.notifier.rules.unsubscribe import unsubscribe_token
from services.notifier.settings import NotifierSettings
from services.notifier.store import notifications
from services.notifier.store.contacts import reach_of
from services.notifier.store.template_overrides import TemplateOverrides
from shared.db.unit_of_work import UnitOfWork
from shared.events.notifier import NotificationFailed, NotificationSent, NotificationSuppressed


def zone_of(contact: Mapping, settings: NotifierSettings) -> ZoneInfo:
    try:
        return ZoneInfo(contact.get("time_zone") or settings.default_time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.default_time_zone)


class Attempt:
    def __init__(self, uow: UnitOfWork, row: Row, channels: Mapping[str, Channel],
                 settings: NotifierSettings, now: datetime,
                 overrides: TemplateOverrides | None = None) -> None:
        self.uow, self.row, self.channels, self.settings, self.now = uow, row, channels, settings, now
        self.overrides = overrides or TemplateOverrides()
        self.kind = KINDS[row.kind]
        self.attempts, self.channel_attempts = row.attempts, row.channel_attempts
        self.failed = list(row.failed_channels)
        self.last_channel, self.last_error = row.channel, row.last_error

    async def save(self, **values: object) -> None:
        await notifications.update_message(self.uow.connection, self.row.notification_id,
                                           attempts=self.attempts, failed_channels=self.failed,
                                           channel_attempts=self.channel_attempts, **values)

    async def run(self) -> None:
        reach, contact = await reach_of(self.uow.connection, self.row.member_id)
        zone = zone_of(contact, self.settings)
        if self.kind.respects_quiet_hours:
            later = self.settings.quiet_hours().next_allowed(self.now, zone)
            if later is not None:
                return await self.save(next_attempt_at=later)
        if self.kind.category == "marketing":
            today, week = await notifications.marketing_sent_since(
                self.uow.connection, self.row.member_id, day_start(self.now, zone), self.now)
            if not self.settings.caps().allow(today, week):
                return await self.suppress("marketing_cap", "marketing cap reached")
        locale = supported_locale(contact.get("locale"), self.settings.default_locale)
        options = candidates(reach, self.kind.category, self.channels.keys(),
                             self.settings.fallback_order, self.failed)
        if not options and not self.failed:
            return await self.suppress(
                "no_reachable_channel", "no channel the member can be reached on and consents to")
        for channel in options:
            try:
                rendered = self.render(channel, locale, zone)
            except Exception as error:  # a broken template fails the message, not the batch
                return await self.give_up(channel, f"template: {error!r}")
            outcome = await self.try_channel(channel, reach.addresses[channel], rendered)
            if outcome != "next":
                return
        await self.give_up(self.last_channel or "inbox", self.last_error or "no channel left")

    def render(self, channel: str, locale: str, zone: ZoneInfo) -> Rendered:
        link = None
        if self.kind.category == "marketing":
            token = unsubscribe_token(self.settings.link_secret.get_secret_value(),
                                      self.row.member_id, channel)
            link = f"{self.settings.public_base_url}/v1/unsubscribe/{token}"
        # the ops version in use, from memory (no query per message); else the file
        return render(self.row.kind, locale, self.row.facts, zone, link,
                      draft=self.overrides.wording(self.row.kind, locale))

    async def try_channel(self, channel: str, address: str, rendered: Rendered) -> str:
        """"sent", "retry" (left for later) or "next" (this channel is done for)."""
        if channel != self.last_channel:  # another channel than last time: its own count
            self.channel_attempts = 0
        self.last_channel = channel
        self.attempts += 1
        self.channel_attempts += 1
        message = Outgoing(self.row.notification_id, self.row.member_id, self.row.kind, address,
                           rendered)
        try:
            async with asyncio.timeout(self.settings.send_timeout_seconds):
                provider_id = await self.channels[channel].send(message)
        except PermanentFailure as error:
            return await self.drop_channel(channel, str(error))
        except Exception as error:  # TransientFailure, a timeout, or a channel's own bug
            reason = str(error) if isinstance(error, TransientFailure) else f"{error!r}"
            if self.channel_attempts >= self.settings.max_attempts:
                return await self.drop_channel(channel, reason)
            wait = backoff(self.channel_attempts, self.settings.retry_base_seconds,
                           self.settings.retry_max_seconds)
            await self.save(channel=channel, last_error=reason, next_attempt_at=self.now + wait)
            return "retry"
        await self.save(status="sent", channel=channel, sent_at=self.now, next_attempt_at=None,
                        provider_message_id=provider_id, template_version=rendered.version)
        self.uow.emit(NotificationSent(
            member_id=self.row.member_id, occurred_at=self.now, causation_id=self.row.source_event_id,
            notification_id=str(self.row.notification_id), kind=self.row.kind, channel=channel,
            source_event_id=self.row.source_event_id))
        return "sent"

    async def suppress(self, reason: str, detail: str) -> None:
        await self.save(status="suppressed", next_attempt_at=None, last_error=detail)
        self.uow.emit(NotificationSuppressed(
            member_id=self.row.member_id, occurred_at=self.now, causation_id=self.row.source_event_id,
            notification_id=str(self.row.notification_id), kind=self.row.kind, reason=reason,
            source_event_id=self.row.source_event_id))

    async def drop_channel(self, channel: str, reason: str) -> str:
        self.failed.append(channel)
        self.channel_attempts = 0
        await self.save(channel=channel, last_error=reason[:2000], next_attempt_at=self.now)
        self.last_channel, self.last_error = channel, reason
        return "next"

    async def give_up(self, channel: str, reason: str) -> None:
        reason = reason[:2000]
        await self.save(status="failed", next_attempt_at=None, last_error=reason)
        self.uow.emit(NotificationFailed(
            member_id=self.row.member_id, occurred_at=self.now, causation_id=self.row.source_event_id,
            notification_id=str(self.row.notification_id), kind=self.row.kind, channel=channel,
            error=reason, attempts=max(1, self.attempts)))
