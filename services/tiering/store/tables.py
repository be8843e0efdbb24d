"""The tiering service's tables (schema `tiering`).

members: the registry; `tier` is the member's current tier, `review_at` the next
  anniversary review (indexed: the tier review job range-scans it).
spend_entries: dated, signed entries per member and measure (a purchase, a recharge, a
  refund as a negative entry dated like what it refunds), so a rolling 12-month sum is an
  index range sum; unique per source so a second event for the same source is a no-op.
tier_rule_sets: every version of the tier rules; the highest version is in force.
renewal_price_lists: every version of the renewal prices; the highest is in force.
tier_changes: every TierChanged, for history and reports.
membership_terms: one row per paid term; a renewal that stacks links the previous term
  (`succeeded_by`). `next_due_at` is the next moment the membership reminder job has work
  for the term (a reminder offset or the end); NULL once expired, succeeded or cancelled.
  Only terms with work are in the partial index the job range-scans in keyset batches.
reminders_sent: one row per (term, kind, offset) ever due: the primary key makes every
  reminder and every expiry once-only across replicas and restarts.
tier_reviews: one row per member and anniversary reviewed.
erasure_requests: a member's personal data to erase (issue 21): cooling_off until
  `erase_at` (cancellable), then erasing until every service confirmed, then completed; at
  most one live (not cancelled) request per member.
erasure_confirmations: one row per (request, service) that confirmed its part.
erasure_actions: the audit of every request, cancellation, start and completion.
data_exports: every export a member (or ops for them) requested: who, when, until when
  (docs/privacy.md, "Access and export"); data_export_progress: which services' parts are
  stored (tiering's own at once, the others' from their *DataExportPartReady events);
  data_export_downloads: who downloaded the archive and when; data_export_parts: tiering's
  own part (shared/db/data_export_parts.py), as every service keeps its own.
member_corrections: every change of a member's profile (phone, email, birthday, locale):
  who, when, which fields, old and new values masked (docs/privacy.md, "Correction").
tier_grants: tiers given for a while (ops, with a reason; or a renew-and-upgrade purchase,
  unique per purchase), who gave them and why, and their revocation: the business audit.
  `applied_at` is NULL until the grant's start was acted on (partial index for the job).
entitlement_definitions: every version of the benefit definitions; the highest is in force.
entitlements: a benefit granted to a member for a period, its quota and how much is used;
  unique per (member, code, period start), so a second grant of the same period is a no-op,
  and `used <= quota` holds under any concurrency (a CHECK, and the redemption's
  conditional UPDATE).
entitlement_redemptions: one row per redemption at a POS (store, terminal, time), and its
  reversal by ops (who, when, why).
idempotency_keys: the stored answers of idempotent POSTs (a data export request, a redemption).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Sequence,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db.data_export_parts import define_data_export_parts_table
from shared.db.messaging_tables import define_messaging_tables
from shared.db.ops_audit import define_ops_audit_table
from shared.db.revoked_keys import define_revoked_keys_table
from shared.http.idempotency import define_idempotency_table

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)
ops_audit = define_ops_audit_table(metadata)  # written by shared/http/ops_audit.py
# the terminal keys the wallet revoked (TerminalKeyRevoked), refused by this service's API
revoked_terminal_keys = define_revoked_keys_table(metadata)
member_number_seq = Sequence("member_number_seq", metadata=metadata)

members = Table(
    "members", metadata,
    Column("member_id", Text, primary_key=True),
    Column("member_number", Text, nullable=False, unique=True),
    Column("store_id", Text),
    Column("channel", Text, nullable=False),
    Column("referral_code", Text),
    Column("birthday", Text),
    # The year MemberBirthday was last sent (jobs/birthdays.py): once per member and year.
    Column("birthday_celebrated_in", Integer),
    Column("locale", Text, nullable=False),
    Column("phone", Text),
    Column("email", Text),
    Column("tier", Text, nullable=False),
    Column("tier_since", DateTime(timezone=True), nullable=False),
    Column("review_at", DateTime(timezone=True), nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Index("members_by_review", "review_at", "member_id"),
    Index("members_by_tier", "tier", "member_id"),
    Index("members_by_birthday", "birthday", postgresql_where=text("birthday IS NOT NULL")),
    # the ops lookup by phone compares digits only (rules/phones.py); migration 0011
    Index("members_by_phone", text("regexp_replace(phone, '[^0-9]', '', 'g')"),
          postgresql_where=text("phone IS NOT NULL")),
)

spend_entries = Table(
    "spend_entries", metadata,
    Column("entry_id", BigInteger, Identity(), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("measure", Text, nullable=False),
    Column("source_kind", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("refers_to", Text),
    Column("amount", BigInteger, nullable=False),
    Column("counted_at", DateTime(timezone=True), nullable=False),
    Index("spend_entries_by_source", "source_kind", "source_id", unique=True),
    Index("spend_entries_by_member", "member_id", "measure", "counted_at",
          postgresql_include=["amount"]),
    Index("spend_entries_by_reference", "refers_to"),
)

tier_rule_sets = Table(
    "tier_rule_sets", metadata,
    Column("version", Integer, primary_key=True),
    Column("measure", Text, nullable=False),
    Column("ladder", JSONB, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Renewal price lists, immutable versions (docs/tiering.md "Renewal prices"): the highest
# is in force; version 1 is the settings' prices, stored at first use.
renewal_price_lists = Table(
    "renewal_price_lists", metadata,
    Column("version", Integer, primary_key=True),
    Column("prices", JSONB, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tier_changes = Table(
    "tier_changes", metadata,
    Column("change_id", BigInteger, Identity(), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("from_tier", Text, nullable=False),
    Column("to_tier", Text, nullable=False),
    Column("direction", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("qualifying_amount", BigInteger, nullable=False),
    Column("rules_version", Integer, nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
    Index("tier_changes_by_time", "effective_at"),
    Index("tier_changes_by_member", "member_id", "change_id"),
)

membership_terms = Table(
    "membership_terms", metadata,
    Column("term_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("term_start", DateTime(timezone=True), nullable=False),
    Column("term_end", DateTime(timezone=True), nullable=False),
    Column("years", Integer, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("purchase_id", Text, nullable=False, unique=True),
    Column("bought_at", DateTime(timezone=True), nullable=False),
    Column("succeeded_by", UUID(as_uuid=True)),
    Column("next_due_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Index("membership_terms_due", "next_due_at", "term_id",
          postgresql_where=text("next_due_at IS NOT NULL")),
    Index("membership_terms_by_member", "member_id", "term_end"),
    Index("membership_terms_by_end", "term_end"),
)

reminders_sent = Table(
    "reminders_sent", metadata,
    Column("term_id", UUID(as_uuid=True), primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("offset_days", Integer, primary_key=True),
    Column("emitted", Boolean, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)

tier_reviews = Table(
    "tier_reviews", metadata,
    Column("member_id", Text, primary_key=True),
    Column("review_at", DateTime(timezone=True), primary_key=True),
    Column("outcome", Text, nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
)

erasure_requests = Table(
    "erasure_requests", metadata,
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("reason", Text, nullable=False),  # request | retention
    Column("status", Text, nullable=False),  # cooling_off | cancelled | erasing | completed
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("erase_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("completed_at", DateTime(timezone=True)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("cancelled_by", Text),
    Index("erasure_requests_one_live", "member_id", unique=True,
          postgresql_where=text("status <> 'cancelled'")),
    Index("erasure_requests_due", "erase_at", postgresql_where=text("status = 'cooling_off'")),
)

erasure_confirmations = Table(
    "erasure_confirmations", metadata,
    Column("request_id", UUID(as_uuid=True), primary_key=True),
    Column("service", Text, primary_key=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=False),
)

erasure_actions = Table(
    "erasure_actions", metadata,
    Column("action_id", BigInteger, Identity(), primary_key=True),
    Column("request_id", UUID(as_uuid=True), nullable=False),
    Column("member_id", Text, nullable=False),
    Column("action", Text, nullable=False),  # requested | cancelled | started | completed
    Column("actor", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("erasure_actions_by_request", "request_id", "action_id"),
)

idempotency_keys = define_idempotency_table(metadata)
data_export_parts = define_data_export_parts_table(metadata)

data_exports = Table(
    "data_exports", metadata,
    Column("export_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("data_exports_by_member", "member_id", "requested_at"),
)

data_export_progress = Table(
    "data_export_progress", metadata,
    Column("export_id", UUID(as_uuid=True), primary_key=True),
    Column("service", Text, primary_key=True),
    Column("records", Integer, nullable=False),
    Column("ready_at", DateTime(timezone=True), nullable=False),
)

data_export_downloads = Table(
    "data_export_downloads", metadata,
    Column("download_id", BigInteger, Identity(), primary_key=True),
    Column("export_id", UUID(as_uuid=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("downloaded_at", DateTime(timezone=True), nullable=False),
    Index("data_export_downloads_by_export", "export_id", "download_id"),
)

member_corrections = Table(
    "member_corrections", metadata,
    Column("correction_id", BigInteger, Identity(), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changes", JSONB, nullable=False),
    Index("member_corrections_by_member", "member_id", "correction_id"),
)

tier_grants = Table(
    "tier_grants", metadata,
    Column("grant_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("source", Text, nullable=False),  # ops / renewal
    Column("reason", Text, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("until_next_review", Boolean, nullable=False),
    Column("purchase_id", Text, unique=True),  # a renew-and-upgrade's purchase: one grant each
    Column("granted_by", Text, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", Text),
    Column("revoke_reason", Text),
    # when the start was acted on; NULL for a grant that starts later (jobs/tier_grants.py)
    Column("applied_at", DateTime(timezone=True)),
    Index("tier_grants_by_member", "member_id", "granted_at"),
    Index("tier_grants_to_start", "starts_at", "grant_id",
          postgresql_where=text("applied_at IS NULL")),
)

entitlement_definitions = Table(
    "entitlement_definitions", metadata,
    Column("version", Integer, primary_key=True),
    Column("benefits", JSONB, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

entitlements = Table(
    "entitlements", metadata,
    Column("entitlement_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("quota", Integer, nullable=False),
    Column("used", Integer, nullable=False, server_default=text("0")),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("granted_for", Text, nullable=False),
    Column("tier", Text),
    Column("term_id", UUID(as_uuid=True)),
    Column("definitions_version", Integer, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("used >= 0 AND used <= quota", name="entitlements_used_within_quota"),
    Index("entitlements_once_per_period", "member_id", "code", "period_start", unique=True),
    Index("entitlements_by_grant_time", "granted_at"),
)

entitlement_redemptions = Table(
    "entitlement_redemptions", metadata,
    Column("redemption_id", UUID(as_uuid=True), primary_key=True),
    Column("entitlement_id", UUID(as_uuid=True), nullable=False),
    Column("member_id", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("store_id", Text, nullable=False),
    Column("terminal_id", Text, nullable=False),
    Column("redeemed_at", DateTime(timezone=True), nullable=False),
    Column("reversed_at", DateTime(timezone=True)),
    Column("reversed_by", Text),
    Column("reversal_reason", Text),
    Index("entitlement_redemptions_by_time", "redeemed_at"),
    Index("entitlement_redemptions_by_entitlement", "entitlement_id"),
    # the member's data export pages a member's redemptions along this
    Index("entitlement_redemptions_by_member", "member_id", "redeemed_at", "redemption_id"),
)
