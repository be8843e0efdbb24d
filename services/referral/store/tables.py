"""The referral service's tables (schema `referral`).

codes: every code ever given; at most one active per member (partial unique index); the
  primary key is what makes a collision a retry, never a duplicate.
members: every enrolment referral heard of, with the phone and device hashes it carried.
spends: every purchase and recharge (amount, payment reference, refunded so far), so
  qualification, late attribution and the payment-reference rule can look back.
programs: every stored version of the program; the highest is in force.
referrals: one per invitee (unique): who referred them, under which program version,
  and where it stands: registered → qualified | held | capped | expired; held → qualified |
  rejected; qualified or held → revoked. Registered ones past `qualify_by` are in the
  partial index the expiry sweep scans.
attribution_refusals: enrolment codes that made no referral, with the reason.
decisions: every decision about a referral, its reasons and its actor (the audit trail).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, Table, Text, text
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


codes = Table(
    "codes", metadata,
    Column("code", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("status", Text, nullable=False),  # active | inactive
    _at("created_at"), _at("deactivated_at", nullable=True),
    Index("codes_one_active_per_member", "member_id", unique=True,
          postgresql_where=text("status = 'active'")),
)
members = Table(
    "members", metadata,
    Column("member_id", Text, primary_key=True),
    Column("phone_hash", Text), Column("device_hash", Text),
    _at("enrolled_at"),
    Index("members_by_enrolment", "enrolled_at"),
)
spends = Table(
    "spends", metadata,
    Column("kind", Text, primary_key=True),  # purchase | recharge
    Column("source_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, server_default=text("0")),
    Column("currency", Text, nullable=False),
    Column("payment_reference", Text),
    _at("at"),
    Index("spends_by_member", "member_id", "at"),
    Index("spends_by_payment_reference", "payment_reference"),
)
programs = Table(
    "programs", metadata,
    Column("version", Integer, primary_key=True),
    Column("terms", JSONB, nullable=False),
    Column("created_by", Text, nullable=False),
    _at("created_at"),
)
referrals = Table(
    "referrals", metadata,
    Column("referral_id", Text, primary_key=True),
    Column("referrer_id", Text, nullable=False),
    Column("invitee_id", Text, nullable=False, unique=True),
    Column("code", Text, nullable=False),
    Column("program_version", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("flags", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    _at("enrolled_at"), _at("registered_at"), _at("qualify_by"),
    _at("qualified_at", nullable=True), _at("decided_at", nullable=True),
    Column("qualifying_kind", Text), Column("qualifying_source_id", Text),
    Column("qualifying_event_id", UUID(as_uuid=True)),
    Column("qualifying_amount", BigInteger), Column("currency", Text),
    Column("attributed_by", Text),
    Index("referrals_by_referrer", "referrer_id", "registered_at"),
    Index("referrals_by_code", "code", "registered_at"),
    Index("referrals_by_status", "status", "decided_at"),
    Index("referrals_by_source", "qualifying_kind", "qualifying_source_id"),
    Index("referrals_due_to_expire", "qualify_by", "referral_id",
          postgresql_where=text("status = 'registered'")),
)
attribution_refusals = Table(
    "attribution_refusals", metadata,
    Column("invitee_id", Text, primary_key=True),
    Column("code", Text, nullable=False),
    Column("reason", Text, nullable=False),
    _at("at"),
)
decisions = Table(
    "decisions", metadata,
    Column("decision_id", BigInteger, primary_key=True, autoincrement=True),
    Column("referral_id", Text, nullable=False, index=True),
    Column("decision", Text, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("actor", Text, nullable=False),
    Column("note", Text),
    _at("at"),
)
