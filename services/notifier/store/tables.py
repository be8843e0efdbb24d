"""The notifier's tables (schema `notifier`).

contacts: per member, the addresses of each channel, the preferred channel, locale and
  time zone. Only this service holds them; events name members by id.
consents: the member's choice per channel and category (transactional / marketing); no
  row means the default (transactional yes, marketing no).
consent_changes: every change of a consent, who made it and how (app, unsubscribe link).
contact_changes: every correction of contact details: who, when, which fields, the old and
  new values masked (docs/privacy.md, "Correction").
notifications: one row per message, and its delivery log: status (pending, sent, failed,
  suppressed), the channel it went out on, attempts (in all, and on the channel being
  tried), the channels that failed for good, provider message id, last error, and the
  provider's delivery receipt (delivered / failed) when one arrives.
  `dedup_key` (source event id + kind, or a schedule key) is unique: a redelivered event
  never makes a second message. Pending rows are range-scanned by `next_attempt_at`.
inbox_messages: the in-app inbox, as rendered when delivered; `read_at` NULL is unread.
member_activity: when each member was last seen (a purchase or a recharge): the win-back
  job range-scans it for members quiet for N days.
monthly_activity: per member and month (in the merchant's time zone), visits, spend and
  recharges in the program currency: what the monthly statement says.
renewals: every MembershipRenewed, for the report of renewals after a reminder.
webhook_subscriptions: where ops want events sent (URL, event types, optional member),
  the signing secret, enabled or not, and since when the endpoint has failed unbroken.
webhook_deliveries: one row per (subscription, event), unique: the CloudEvents body as
  sent, status (pending, delivered, parked), attempts and the last attempt's status code,
  duration and error. Pending rows are range-scanned by `next_attempt_at`; a member's
  rows go out in `delivery_id` order (the order the events were consumed).
idempotency_keys: the manual redeliveries' Idempotency-Keys (shared/http/idempotency.py).
ops_recipients: staff who get the scheduled reports (not members): an email address, a
  locale, a time zone for quiet hours, the report kinds they get, and when they unsubscribed.
report_deliveries: one row per (report, recipient), unique: a redelivered report sends
  nothing more. The report as published, status (pending, sent, failed, suppressed) and the
  attempts; pending rows are range-scanned by `next_attempt_at`.
template_versions: ops' wordings of a kind's template in a locale, never changed once
  written: the newest per (kind, locale) is in use; a NULL wording is a going back to the
  release's file. Who published it and when; the digest is what a message sent records.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.db.data_export_parts import define_data_export_parts_table
from shared.db.messaging_tables import define_messaging_tables
from shared.db.ops_audit import define_ops_audit_table
from shared.db.revoked_keys import define_revoked_keys_table
from shared.http.idempotency import define_idempotency_table

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)
ops_audit = define_ops_audit_table(metadata)  # written by shared/http/ops_audit.py
# this service's parts of members' data exports (store/data_exports.py, docs/privacy.md)
data_export_parts = define_data_export_parts_table(metadata)
# the terminal keys the wallet revoked (TerminalKeyRevoked), refused by this service's API
revoked_terminal_keys = define_revoked_keys_table(metadata)
idempotency_keys = define_idempotency_table(metadata)

contacts = Table(
    "contacts", metadata,
    Column("member_id", Text, primary_key=True),
    Column("email", Text),
    Column("sms", Text),
    Column("push", Text),
    Column("wechat", Text),
    Column("preferred_channel", Text),
    Column("locale", Text),
    Column("time_zone", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

consents = Table(
    "consents", metadata,
    Column("member_id", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("member_id", "channel", "category"),
)

consent_changes = Table(
    "consent_changes", metadata,
    Column("change_id", BigInteger, Identity(), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("actor", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("consent_changes_by_member", "member_id", "change_id"),
)

contact_changes = Table(
    "contact_changes", metadata,
    Column("change_id", BigInteger, Identity(), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changes", JSONB, nullable=False),
    Index("contact_changes_by_member", "member_id", "change_id"),
)

notifications = Table(
    "notifications", metadata,
    Column("notification_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("source_event_id", UUID(as_uuid=True)),
    Column("dedup_key", Text, nullable=False, unique=True),
    Column("facts", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("channel", Text),
    Column("failed_channels", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("channel_attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("provider_message_id", Text),
    Column("last_error", Text),
    Column("template_version", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("receipt_status", Text),
    Column("receipt_at", DateTime(timezone=True)),
    Column("receipt_error", Text),
    # an ops resend (store/resends.py): the message this one repeats; migration 0009
    Column("resent_from", UUID(as_uuid=True)),
    Index("notifications_due", "next_attempt_at", "notification_id",
          postgresql_where=text("status = 'pending'")),
    Index("notifications_by_member", "member_id", "created_at"),
    Index("notifications_sent_by_member", "member_id", "category", "sent_at"),
    Index("notifications_by_provider_id", "channel", "provider_message_id"),
    Index("notifications_by_time", "created_at"),
)

inbox_messages = Table(
    "inbox_messages", metadata,
    Column("message_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    Index("inbox_messages_by_member", "member_id", "created_at", "message_id"),
)

member_activity = Table(
    "member_activity", metadata,
    Column("member_id", Text, primary_key=True),
    Column("last_active_at", DateTime(timezone=True), nullable=False),
    Index("member_activity_by_time", "last_active_at"),
)

monthly_activity = Table(
    "monthly_activity", metadata,
    Column("member_id", Text, nullable=False),
    Column("month", Text, nullable=False),
    Column("visits", Integer, nullable=False),
    Column("spent", BigInteger, nullable=False),
    Column("recharged", BigInteger, nullable=False),
    PrimaryKeyConstraint("member_id", "month"),
    Index("monthly_activity_by_month", "month", "member_id"),
)

renewals = Table(
    "renewals", metadata,
    Column("term_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("renewed_at", DateTime(timezone=True), nullable=False),
    Index("renewals_by_member", "member_id", "renewed_at"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions", metadata,
    Column("subscription_id", Text, primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", ARRAY(Text), nullable=False),
    Column("member_id", Text),
    Column("secret", Text, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("description", Text, nullable=False),
    Column("failing_since", DateTime(timezone=True)),
    Column("disabled_reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("delivery_id", BigInteger, Identity(), primary_key=True),
    Column("subscription_id", Text, ForeignKey("webhook_subscriptions.subscription_id",
                                               ondelete="CASCADE"), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", Text, nullable=False),
    Column("member_id", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("first_attempt_at", DateTime(timezone=True)),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("last_status_code", Integer),
    Column("last_duration_ms", Integer),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subscription_id", "event_id"),
    Index("webhook_deliveries_due", "next_attempt_at",
          postgresql_where=text("status = 'pending'")),
    Index("webhook_deliveries_by_member", "subscription_id", "member_id", "delivery_id",
          postgresql_where=text("status = 'pending'")),
    Index("webhook_deliveries_log", "subscription_id", "delivery_id"),
)

ops_recipients = Table(
    "ops_recipients", metadata,
    Column("recipient_id", Text, primary_key=True),
    Column("email", Text, nullable=False, unique=True),
    Column("locale", Text, nullable=False),
    Column("time_zone", Text),
    Column("report_kinds", ARRAY(Text), nullable=False),
    Column("unsubscribed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

report_deliveries = Table(
    "report_deliveries", metadata,
    Column("delivery_id", UUID(as_uuid=True), primary_key=True),
    Column("report_id", Text, nullable=False),
    Column("recipient_id", Text, nullable=False),
    Column("source_event_id", UUID(as_uuid=True), nullable=False),
    Column("report", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("provider_message_id", Text),
    Column("last_error", Text),
    Column("template_version", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("report_id", "recipient_id"),
    Index("report_deliveries_due", "next_attempt_at",
          postgresql_where=text("status = 'pending'")),
)

template_versions = Table(
    "template_versions", metadata,
    Column("version_id", BigInteger, Identity(), primary_key=True),
    Column("kind", Text, nullable=False),
    Column("locale", Text, nullable=False),
    Column("wording", Text),
    Column("digest", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("template_versions_history", "kind", "locale", "version_id"),
)
