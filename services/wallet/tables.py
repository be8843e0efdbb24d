"""The wallet's tables (schema `wallet`).

wallets: one row per (member, currency); its balances are a cache of the ledger that the
recharge transaction keeps exact, and the row lock that serialises a member's money moves.
journal_entries / journal_lines: the double-entry ledger; lines of an entry sum to zero
(debits positive, credits negative); never updated, corrections are reversals.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

from shared.db.messaging_tables import define_messaging_tables
from shared.http.idempotency import define_idempotency_table

metadata = MetaData()
outbox, inbox = define_messaging_tables(metadata)
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
    CheckConstraint("principal >= 0", name="principal_not_negative"),
    CheckConstraint("bonus >= 0", name="bonus_not_negative"),
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
    Column("terminal_id", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("pos_reference", Text, nullable=False, unique=True),
    Column("bonus_status", Text, nullable=False, server_default=text("'pending'")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount > 0", name="recharge_amount_positive"),
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
)
