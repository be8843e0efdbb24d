"""referral tables: codes, members, spends, programs, referrals, attribution refusals,
decisions, idempotency keys, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_messaging_tables_v1(op)
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.Text(), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("request_hash", sa.LargeBinary(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    )
    op.create_table(
        "codes",
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        _at("created_at"), _at("deactivated_at", nullable=True),
    )
    op.create_index("codes_one_active_per_member", "codes", ["member_id"], unique=True,
                    postgresql_where=sa.text("status = 'active'"))
    op.create_table(
        "members",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("phone_hash", sa.Text()), sa.Column("device_hash", sa.Text()),
        _at("enrolled_at"),
    )
    op.create_index("members_by_enrolment", "members", ["enrolled_at"])
    op.create_table(
        "spends",
        sa.Column("kind", sa.Text(), primary_key=True),
        sa.Column("source_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("payment_reference", sa.Text()),
        _at("at"),
    )
    op.create_index("spends_by_member", "spends", ["member_id", "at"])
    op.create_index("spends_by_payment_reference", "spends", ["payment_reference"])
    op.create_table(
        "programs",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("terms", JSONB(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.Text(), primary_key=True),
        sa.Column("referrer_id", sa.Text(), nullable=False),
        sa.Column("invitee_id", sa.Text(), nullable=False, unique=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("program_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("flags", JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        _at("enrolled_at"), _at("registered_at"), _at("qualify_by"),
        _at("qualified_at", nullable=True), _at("decided_at", nullable=True),
        sa.Column("qualifying_kind", sa.Text()), sa.Column("qualifying_source_id", sa.Text()),
        sa.Column("qualifying_event_id", sa.UUID()),
        sa.Column("qualifying_amount", sa.BigInteger()), sa.Column("currency", sa.Text()),
        sa.Column("attributed_by", sa.Text()),
    )
    op.create_index("referrals_by_referrer", "referrals", ["referrer_id", "registered_at"])
    op.create_index("referrals_by_code", "referrals", ["code", "registered_at"])
    op.create_index("referrals_by_status", "referrals", ["status", "decided_at"])
    op.create_index("referrals_by_source", "referrals", ["qualifying_kind", "qualifying_source_id"])
    op.create_index("referrals_due_to_expire", "referrals", ["qualify_by", "referral_id"],
                    postgresql_where=sa.text("status = 'registered'"))
    op.create_table(
        "attribution_refusals",
        sa.Column("invitee_id", sa.Text(), primary_key=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _at("at"),
    )
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("reasons", JSONB(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text()),
        _at("at"),
    )
    op.create_index("ix_decisions_referral_id", "decisions", ["referral_id"])


def downgrade() -> None:
    for table in ("decisions", "attribution_refusals", "referrals", "programs", "spends",
                  "members", "codes", "idempotency_keys"):
        op.drop_table(table)
    drop_messaging_tables_v1(op)
