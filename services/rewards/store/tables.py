"""The rewards service's tables (schema `rewards`).

Projections fed by other services' events (history for the fraud screen and segments):
recharges_seen, refunds_seen, member_tiers, tier_programs (tiering's
published benefits).
Program: offers (one immutable row per version), campaign_budgets (spent vs cap, charged by
a conditional UPDATE in the decision transaction).
Decisions: bonus_decisions (one per recharge: recharge_id is the key, grant_id unique),
campaign_charges (what each campaign paid for which recharge), review_actions (the audit).
Points: points_accounts (balance; the row lock serialises a member's points), points_entries
(the ledger; earn rows are lots with `remaining` and `expires_at`).
Coupons: coupon_templates, coupons (redeemed_at set once, by a conditional UPDATE).
Segments: member_facts and member_activity (the facts segments are defined over, fed by the
consumers), segments (one immutable row per version), segment_members (who is in each now),
campaign_points_budgets and campaign_member_uses (points budgets, per-member limits).
Spend rewards (migration 0011) are in store/spend_tables.py, on the same metadata.
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
# the terminal keys the wallet revoked (TerminalKeyRevoked), refused by this service's API
revoked_terminal_keys = define_revoked_keys_table(metadata)
ops_audit = define_ops_audit_table(metadata)  # written by shared/http/ops_audit.py
# this service's parts of members' data exports (store/data_exports.py, docs/privacy.md)
data_export_parts = define_data_export_parts_table(metadata)
idempotency_keys = define_idempotency_table(metadata)


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


recharges_seen = Table(
    "recharges_seen", metadata,
    Column("recharge_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    _at("occurred_at"),
    Column("store_id", Text), Column("terminal_id", Text), Column("payment_reference", Text),
    Column("lifetime_recharged", BigInteger),
    Index("recharges_seen_member_time", "member_id", "occurred_at"),
    Index("recharges_seen_terminal_time", "terminal_id", "occurred_at"),
    Index("recharges_seen_reference_time", "payment_reference", "occurred_at"),
)
refunds_seen = Table(
    "refunds_seen", metadata,
    Column("refund_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # recharge | purchase
    Column("source_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("bonus_clawed_back", BigInteger, nullable=False, server_default=text("0")),
    _at("occurred_at"),
    Index("refunds_seen_member_time", "member_id", "occurred_at"),
    Index("refunds_seen_source", "source_id"),
)
member_tiers = Table(
    "member_tiers", metadata,
    Column("member_id", Text, primary_key=True),
    Column("tier", Text, nullable=False),
    _at("effective_at"),
)
# tiering's TierProgramPublished, one row per version: the multipliers rewards pays
tier_programs = Table(
    "tier_programs", metadata,
    Column("version", BigInteger, primary_key=True),
    _at("effective_from"),
    Column("tiers", JSONB, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
)
offers = Table(
    "offers", metadata,
    Column("offer_id", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("currency", Text),
    Column("terms", JSONB, nullable=False),
    _at("effective_from"), _at("effective_to", nullable=True),
    Column("created_by", Text, nullable=False),
    _at("created_at"),
)
campaign_budgets = Table(
    "campaign_budgets", metadata,
    Column("offer_id", Text, primary_key=True),
    Column("budget", BigInteger, nullable=False),
    Column("spent", BigInteger, nullable=False, server_default=text("0")),
    CheckConstraint("spent >= 0 AND spent <= budget", name="spent_within_budget"),
)
bonus_decisions = Table(
    "bonus_decisions", metadata,
    Column("recharge_id", Text, primary_key=True),
    Column("grant_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("recharge_amount", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", Text, nullable=False),  # granted | held | rejected
    Column("rules", JSONB, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("risk_score", Integer, nullable=False),
    _at("decided_at"),
    Column("reviewed_by", Text), _at("reviewed_at", nullable=True), Column("review_note", Text),
    # the wallet held the recharge's principal: approving it releases it (migration 0005)
    Column("principal_held", Boolean, nullable=False, server_default=text("false")),
    Index("bonus_decisions_status_time", "status", "decided_at", "recharge_id"),
    Index("bonus_decisions_by_member", "member_id", "decided_at", "recharge_id"),  # data exports
    # the KPIs' review turnaround and the risk report (migration 0012)
    Index("bonus_decisions_reviewed", "reviewed_at", postgresql_where=text("reviewed_at IS NOT NULL")),
)
campaign_charges = Table(
    "campaign_charges", metadata,
    Column("recharge_id", Text, primary_key=True),
    Column("offer_id", Text, primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("recharge_amount", BigInteger, nullable=False),
    _at("charged_at"),
)
review_actions = Table(
    "review_actions", metadata,
    Column("action_id", BigInteger, Identity(), primary_key=True),
    Column("grant_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("decision", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("note", Text, nullable=False),
    _at("acted_at"),
)
points_accounts = Table(
    "points_accounts", metadata,
    Column("member_id", Text, primary_key=True),
    Column("balance", BigInteger, nullable=False, server_default=text("0")),
    CheckConstraint("balance >= 0", name="points_not_negative"),
)
points_entries = Table(
    "points_entries", metadata,
    Column("entry_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # earn | redeem | expire | reverse
    Column("points", BigInteger, nullable=False),  # signed: + earns, - everything else
    Column("balance_after", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("source_id", Text),
    Column("source_total", BigInteger),
    Column("remaining", BigInteger),
    _at("expires_at", nullable=True),
    _at("occurred_at"),
    Index("points_entries_member_time", "member_id", "occurred_at"),
    Index("points_entries_source", "source_id"),
    Index("points_entries_open_lots", "expires_at", postgresql_where=text("remaining > 0")),
)
coupon_templates = Table(
    "coupon_templates", metadata,
    Column("template_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("currency", Text),
    Column("min_spend", BigInteger),
    Column("valid_days", Integer, nullable=False),
    Column("points_cost", BigInteger),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_by", Text, nullable=False),
    _at("created_at"),
)
coupons = Table(
    "coupons", metadata,
    Column("coupon_id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, nullable=False, unique=True),
    Column("member_id", Text, nullable=False, index=True),
    Column("template_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("currency", Text),
    Column("min_spend", BigInteger),
    _at("valid_from"), _at("valid_until"),
    Column("reason", Text, nullable=False),
    _at("issued_at"),
    _at("redeemed_at", nullable=True),
    Column("purchase_id", Text),
    _at("voided_at", nullable=True),
    Index("coupons_by_reason", "reason"),
)
# What each qualified referral was granted, once (store/referral_rewards.py), and what its
# revocation reversed, voided or recorded as a loss.
referral_rewards = Table(
    "referral_rewards", metadata,
    Column("referral_id", Text, primary_key=True),
    Column("referrer_id", Text, nullable=False),
    Column("invitee_id", Text, nullable=False),
    Column("points", BigInteger, nullable=False),
    Column("status", Text, nullable=False),  # granted | revoked
    _at("granted_at"), _at("revoked_at", nullable=True),
)
referral_clawbacks = Table(
    "referral_clawbacks", metadata,
    Column("clawback_id", BigInteger, Identity(), primary_key=True),
    Column("referral_id", Text, nullable=False),
    Column("member_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # points | coupon
    Column("reference", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),  # points, or the coupon's value
    Column("outcome", Text, nullable=False),  # reversed | voided | loss
    _at("at"),
    Index("referral_clawbacks_by_referral", "referral_id"),
    Index("referral_clawbacks_by_member", "member_id", "clawback_id"),  # data exports
)

# Segments (store/member_facts.py, store/segments.py): what rewards knows about each member,
# beside member_tiers; one row per member it heard of. Never a birth date: only the local
# month of the last MemberBirthday (`YYYY-MM`), which is all birthday_month_is_current needs.
member_facts = Table(
    "member_facts", metadata,
    Column("member_id", Text, primary_key=True),
    Column("home_store", Text),
    Column("enrolment_channel", Text),
    Column("referral_code", Text),
    _at("membership_ends_at", nullable=True),
    Column("birthday_celebrated_month", Text),
    _at("updated_at"),
)
# Every purchase, recharge, points redemption and refund, once (the key is the source), so a
# redelivered event counts once; the windows (spend, visits, last activity) read it by member.
member_activity = Table(
    "member_activity", metadata,
    Column("kind", Text, primary_key=True),  # purchase | recharge | redemption | refund kinds
    Column("source_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),  # refunds negative
    Column("store_id", Text),
    _at("occurred_at"),
    Index("member_activity_member_time", "member_id", "occurred_at"),
)
segments = Table(
    "segments", metadata,
    Column("segment_id", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),  # rule | list
    Column("rule", JSONB),
    Column("created_by", Text, nullable=False),
    _at("created_at"),
)
segment_members = Table(
    "segment_members", metadata,
    Column("segment_id", Text, primary_key=True),
    Column("member_id", Text, primary_key=True),
    _at("since"),
    Index("segment_members_by_member", "member_id"),
)
campaign_points_budgets = Table(
    "campaign_points_budgets", metadata,
    Column("offer_id", Text, primary_key=True),
    Column("budget", BigInteger, nullable=False),
    Column("spent", BigInteger, nullable=False, server_default=text("0")),
    CheckConstraint("spent >= 0 AND spent <= budget", name="points_spent_within_budget"),
)
campaign_member_uses = Table(
    "campaign_member_uses", metadata,
    Column("offer_id", Text, primary_key=True),
    Column("member_id", Text, primary_key=True),
    Column("uses", Integer, nullable=False),
)
