"""The wallet's tables (schema `wallet`).

wallets: one row per (member, currency); its balances are a cache of the ledger that the
recharge transaction keeps exact, and the row lock that serialises a member's money moves.
journal_entries / journal_lines: the double-entry ledger; lines of an entry sum to zero
(debits positive, credits negative, checked by a deferred trigger at commit); never updated
or deleted (a trigger refuses it), corrections are reversals. `position` orders entries.
lots: where stored value actually sits. Each recharge makes a principal lot, each credited
grant a bonus lot (`grant_id` unique: one credit per grant), each positive adjustment a lot;
`remaining` is what is left to spend. wallets.principal/bonus = sums of remaining.
purchases / purchase_draws: an order and which lots paid how much of it (`returned` grows
with refunds). refunds: of purchases (many) and recharges (at most one each).
adjustments: operators' corrections, with reason and actor.
opening_balances: balances imported from the merchant's previous system, once per row.
cashback_credits: rewards' CashbackGranted, once per grant: its bonus lot and what refunds of
the purchase clawed back from it (or could not: already spent).
registered_members: the ids tiering enrolled (the projection of `MemberEnrolled`); any
other id is an unregistered card, with the card caps.
member_tiers / tier_discounts: the projection of tiering's `TierChanged` and
`TierProgramPublished` the tier discount at the till reads (store/tier_discounts.py).
Risk: a held principal lot (`lots.held`) is not spendable until its recharge is approved in
rewards' review queue; `wallets.principal` is the spendable principal and
`wallets.held_principal` the held one (the ledger's member_principal counts both).
frozen_wallets: members frozen now; wallet_freezes: every freeze and unfreeze, audited.
The recharge hot path is the stored function `wallet_recharge` (store/sql/wallet_recharge.sql).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db.data_export_parts import define_data_export_parts_table
from shared.db.messaging_tables import define_messaging_tables
from shared.db.ops_audit import define_ops_audit_table
from shared.http.idempotency import define_idempotency_table

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)
ops_audit = define_ops_audit_table(metadata)  # written by shared/http/ops_audit.py
# this service's parts of members' data exports (store/data_exports.py, docs/privacy.md)
data_export_parts = define_data_export_parts_table(metadata)
idempotency_keys = define_idempotency_table(metadata)

wallets = Table(
    "wallets",
    metadata,
    Column("member_id", Text, primary_key=True),
    Column("currency", Text, primary_key=True),
    Column("principal", BigInteger, nullable=False, server_default=text("0")),
    Column("bonus", BigInteger, nullable=False, server_default=text("0")),
    Column("lifetime_recharged", BigInteger, nullable=False, server_default=text("0")),
    Column("recharge_count", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("held_principal", BigInteger, nullable=False, server_default=text("0")),
    CheckConstraint("held_principal >= 0", name="held_principal_not_negative"),
    CheckConstraint("principal >= 0", name="principal_not_negative"),
    CheckConstraint("bonus >= 0", name="bonus_not_negative"),
)

member_tiers = Table(
    "member_tiers", metadata,
    Column("member_id", Text, primary_key=True),
    Column("tier", Text, nullable=False),
    Column("effective_at", DateTime(timezone=True), nullable=False),
)
tier_discounts = Table(  # the program in force; version 0 (the default ladder) until one is published
    "tier_discounts", metadata,
    Column("tier", Text, primary_key=True),
    Column("rank", Integer, nullable=False),  # 0 = the lowest tier, every member's before a move
    Column("discount_bps", Integer, nullable=False),
    Column("program_version", Integer, nullable=False),
)

registered_members = Table(
    "registered_members",
    metadata,
    Column("member_id", Text, primary_key=True),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

recharges = Table(
    "recharges",
    metadata,
    Column("recharge_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False, index=True),
    Column("currency", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("payment_method", Text, nullable=False),
    Column("payment_reference", Text, nullable=False),
    Column("store_id", Text, nullable=False),
    Column("terminal_id", Text),
    Column("channel", Text, nullable=False),
    Column("pos_reference", Text, nullable=False, unique=True),
    Column("bonus_status", Text, nullable=False, server_default=text("'pending'")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("bonus_amount", BigInteger),
    Column("grant_id", UUID(as_uuid=True)),
    Column("refunded_at", DateTime(timezone=True)),
    Column("refund_id", UUID(as_uuid=True)),
    Column("principal_held", Boolean, nullable=False, server_default=text("false")),
    Column("risk_reasons", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("released_at", DateTime(timezone=True)),
    Column("released_by", Text),
    CheckConstraint("amount > 0", name="recharge_amount_positive"),
    Index("ix_recharges_member_created", "member_id", "created_at", "recharge_id"),
    Index("ix_recharges_reference_created", "payment_reference", "created_at"),
    Index("ix_recharges_terminal_created", "terminal_id", "created_at"),
)

journal_entries = Table(
    "journal_entries",
    metadata,
    Column("entry_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False, index=True),
    Column("kind", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("actor", Text),
)

journal_lines = Table(
    "journal_lines",
    metadata,
    Column("entry_id", UUID(as_uuid=True), ForeignKey("journal_entries.entry_id"),
           primary_key=True),
    Column("line_no", SmallInteger, primary_key=True),
    Column("account", Text, nullable=False),
    Column("member_id", Text),
    Column("currency", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Index("ix_journal_lines_member", "member_id", "currency", "account"),
)


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


lots = Table(
    "lots",
    metadata,
    Column("lot_id", UUID(as_uuid=True), primary_key=True),
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("source_kind", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("recharge_id", UUID(as_uuid=True)),
    Column("grant_id", UUID(as_uuid=True)),
    Column("amount", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("expired_amount", BigInteger, nullable=False, server_default=text("0")),
    _at("expires_at", nullable=True),
    _at("voided_at", nullable=True),
    _at("created_at"),
    Column("held", Boolean, nullable=False, server_default=text("false")),
    CheckConstraint("kind = 'principal' OR NOT held", name="only_principal_is_held"),
    CheckConstraint("kind IN ('principal', 'bonus')", name="lot_kind"),
    CheckConstraint("kind = 'bonus' OR expires_at IS NULL", name="principal_never_expires"),
    CheckConstraint("amount > 0", name="lot_amount_positive"),
    CheckConstraint("remaining >= 0 AND remaining <= amount", name="lot_remaining_in_range"),
    Index("ix_lots_open", "member_id", "currency", postgresql_where=text("remaining > 0")),
    UniqueConstraint("grant_id", name="one_bonus_lot_per_grant"),
    Index("ix_lots_recharge", "recharge_id"),
    Index("ix_lots_due", "expires_at", postgresql_where=text("kind = 'bonus' AND remaining > 0")),
)

purchases = Table(
    "purchases",
    metadata,
    Column("purchase_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("order_reference", Text, nullable=False),
    Column("store_id", Text, nullable=False),
    Column("terminal_id", Text),
    Column("channel", Text, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("paid_principal", BigInteger, nullable=False),
    Column("paid_bonus", BigInteger, nullable=False),
    Column("paid_other", BigInteger, nullable=False),
    Column("tenders", JSONB, nullable=False),
    Column("items", JSONB, nullable=False),
    Column("coupon_codes", JSONB, nullable=False),
    Column("refunded_amount", BigInteger, nullable=False, server_default=text("0")),
    Column("refunded_stored_value", BigInteger, nullable=False, server_default=text("0")),
    _at("created_at"),
    # the tier discount at the till, when applied: total is what was paid after it
    Column("tier", Text), Column("tier_discount_bps", Integer), Column("tier_discount_amount", BigInteger),
    CheckConstraint("paid_principal + paid_bonus + paid_other = total", name="tenders_add_up"),
    CheckConstraint("refunded_amount <= total", name="refund_within_total"),
    UniqueConstraint("store_id", "order_reference", name="order_reference_once_per_store"),
    Index("ix_purchases_member_created", "member_id", "created_at", "purchase_id"),
)

purchase_draws = Table(
    "purchase_draws",
    metadata,
    Column("purchase_id", UUID(as_uuid=True), ForeignKey("purchases.purchase_id"), primary_key=True),
    Column("lot_id", UUID(as_uuid=True), ForeignKey("lots.lot_id"), primary_key=True),
    Column("kind", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("returned", BigInteger, nullable=False, server_default=text("0")),
    CheckConstraint("amount > 0 AND returned >= 0 AND returned <= amount", name="draw_in_range"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("refund_id", UUID(as_uuid=True), primary_key=True),
    Column("kind", Text, nullable=False),
    Column("purchase_id", UUID(as_uuid=True)),
    Column("recharge_id", UUID(as_uuid=True)),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("returned_principal", BigInteger, nullable=False),
    Column("returned_bonus", BigInteger, nullable=False),
    Column("bonus_clawed_back", BigInteger, nullable=False),
    Column("reason", Text),
    Column("actor", Text, nullable=False),
    _at("created_at"),
    CheckConstraint("kind IN ('purchase', 'recharge')", name="refund_kind"),
    UniqueConstraint("recharge_id", name="one_refund_per_recharge"),
    Index("ix_refunds_purchase", "purchase_id"),
    Index("ix_refunds_member", "member_id", "created_at", "refund_id"),  # a member's data export
)

cashback_credits = Table(
    "cashback_credits",
    metadata,
    Column("grant_id", UUID(as_uuid=True), primary_key=True),
    Column("purchase_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("kind", Text, nullable=False),  # cashback | spend_and_save | first_n_gift
    Column("amount", BigInteger, nullable=False),  # granted
    Column("lot_id", UUID(as_uuid=True)),  # none when a refund before the credit took it all
    Column("clawed_back", BigInteger, nullable=False, server_default=text("0")),
    Column("unrecovered", BigInteger, nullable=False, server_default=text("0")),  # spent
    _at("created_at"),
    Index("ix_cashback_credits_member", "member_id", "created_at"),  # a member's data export
)

adjustments = Table(
    "adjustments",
    metadata,
    Column("adjustment_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("principal_delta", BigInteger, nullable=False),
    Column("bonus_delta", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    _at("created_at"),
    Index("ix_adjustments_member", "member_id", "created_at", "adjustment_id"),  # data exports
)

# Balances brought over from the merchant's previous system (`patronage import balances`):
# one row per imported row's external id, written in the same transaction as its lots and
# journal entry, so a second run (or a run resumed after a crash) never imports it twice.
opening_balances = Table(
    "opening_balances",
    metadata,
    Column("import_id", Text, primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("principal", BigInteger, nullable=False),
    Column("bonus", BigInteger, nullable=False),
    _at("bonus_expires_at", nullable=True),
    _at("imported_at"),
    CheckConstraint("principal >= 0 AND bonus >= 0 AND principal + bonus > 0",
                    name="opening_balance_positive"),
    Index("ix_opening_balances_member", "member_id"),
)

frozen_wallets = Table(
    "frozen_wallets",
    metadata,
    Column("member_id", Text, primary_key=True),
    _at("frozen_at"),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
)

wallet_freezes = Table(
    "wallet_freezes",
    metadata,
    Column("freeze_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("recharge_id", UUID(as_uuid=True)),
    _at("at"),
    CheckConstraint("action IN ('freeze', 'unfreeze')", name="freeze_action"),
    Index("ix_wallet_freezes_member", "member_id", "at"),
)

# Payment intents (rules/payment_intents.py): a member app's recharge waits here, `pending`,
# until its provider's signed callback settles it. The partial index serves the reads of
# what is still open and past its time.
payment_intents = Table(
    "payment_intents",
    metadata,
    Column("intent_id", UUID(as_uuid=True), primary_key=True),
    Column("member_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    _at("created_at"),
    _at("expires_at"),
    Column("recharge_id", UUID(as_uuid=True)),
    Column("payment_id", Text),
    _at("settled_at", nullable=True),
    CheckConstraint("amount > 0", name="intent_amount_positive"),
    CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'mismatched', 'expired')",
                    name="intent_status"),
    Index("ix_payment_intents_member_created", "member_id", "created_at"),
    Index("ix_payment_intents_pending_expiry", "expires_at",
          postgresql_where=text("status = 'pending'")),
)

# Every verified provider callback, once per (provider, payment_id): its outcome is the
# answer to any replay, and the refused ones (amount mismatch, expired intent, paid twice)
# are what ops refund the payer from.
payment_callbacks = Table(
    "payment_callbacks",
    metadata,
    Column("provider", Text, primary_key=True),
    Column("payment_id", Text, primary_key=True),
    Column("intent_id", Text, nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reported_status", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("code", Text),
    Column("detail", Text, nullable=False),
    Column("recharge_id", UUID(as_uuid=True)),
    Column("request_hash", LargeBinary, nullable=False),
    _at("received_at"),
)
