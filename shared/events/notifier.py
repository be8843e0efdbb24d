"""Events of the notifier service (topic `notifier.events`): what reached a member."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from shared.events.data_exports import DataExportPartReady
from shared.events.envelope import EntityId, Event, UtcDatetime

NotificationChannel = Literal["email", "sms", "push", "wechat", "inbox"]
NotificationKind = Annotated[
    EntityId, Field(description="The template family, e.g. renewal_reminder, birthday_greeting.")
]


class NotificationSent(Event):
    """A message was handed to its channel (email, SMS, push, WeChat) or put in the inbox."""

    event_type = "NotificationSent"
    producer_name = "notifier"

    notification_id: EntityId
    kind: NotificationKind
    channel: NotificationChannel
    source_event_id: UUID | None = Field(
        default=None, description="The event it reacts to; absent for scheduled messages.")


class NotificationFailed(Event):
    """Delivery was given up after retries."""

    event_type = "NotificationFailed"
    producer_name = "notifier"

    notification_id: EntityId
    kind: NotificationKind
    channel: NotificationChannel
    error: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="The provider's last error.")
    attempts: int = Field(ge=1, description="Delivery attempts made.")


class ConsentChanged(Event):
    """A member's consent for one channel and category changed (in the app, by ops, or by
    an unsubscribe link), so a marketing tool or CRM can honour it too. A choice that
    changes nothing is not published. No contact detail travels with it."""

    event_type = "ConsentChanged"
    producer_name = "notifier"

    channel: NotificationChannel
    category: Literal["transactional", "marketing"]
    granted: bool = Field(description="Whether messages of this category may now use the channel.")
    actor: EntityId = Field(
        description="Who changed it: member:<id>, ops:<user>, or unsubscribe_link.")


class NotifierMemberErased(Event):
    """The notifier acted on `MemberErasureStarted`: the member's contact details, consents,
    inbox and the content of their delivery log are deleted, and messages still pending are
    suppressed."""

    event_type = "NotifierMemberErased"
    producer_name = "notifier"

    request_id: UUID
class NotifierDataExportPartReady(DataExportPartReady):
    """The notifier built and stored its part of a member's data export (docs/privacy.md);
    tiering counts it towards the export's progress and fetches it when the archive is
    downloaded."""

    event_type = "NotifierDataExportPartReady"
    producer_name = "notifier"


# About no member: a webhook endpoint's events are keyed `_webhooks` (one partition, in order).
WEBHOOKS_KEY = "_webhooks"


class WebhookEndpointDisabled(Event):
    """A webhook subscription was switched off because its endpoint kept failing; ops turn
    it back on once the endpoint is fixed (its undelivered events are then sent)."""

    event_type = "WebhookEndpointDisabled"
    producer_name = "notifier"

    subscription_id: EntityId
    failing_since: UtcDatetime = Field(description="The first failure of the unbroken run.")
    last_error: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="What the last attempt got (a status, a timeout, a refused address).")


class NotificationSuppressed(Event):
    """A queued message was not sent, on purpose, and will not be retried: the member can be
    reached on no channel they consent to for its category, or the marketing cap (per day
    and week) was reached. With NotificationSent and NotificationFailed, every queued
    message's outcome is published."""

    event_type = "NotificationSuppressed"
    producer_name = "notifier"

    notification_id: EntityId
    kind: NotificationKind
    reason: Literal["no_reachable_channel", "marketing_cap"] = Field(
        description="no_reachable_channel: no channel with an address and consent for the "
        "message's category; marketing_cap: the member's marketing messages per day or week "
        "were used up.")
    source_event_id: UUID | None = Field(
        default=None, description="The event it reacted to; absent for scheduled messages.")
