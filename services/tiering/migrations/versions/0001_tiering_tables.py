"""tiering tables: members, spend entries, tier rules and changes, membership terms,
reminders sent, tier reviews, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1(op)
    op.execute("CREATE SEQUENCE member_number_seq")
    op.create_table(
        "members",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("member_number", sa.Text(), nullable=False, unique=True),
        sa.Column("store_id", sa.Text()),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("referral_code", sa.Text()),
        sa.Column("birthday", sa.Text()),
        sa.Column("locale", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text()),
        sa.Column("email", sa.Text()),
        sa.Column("tier", sa.Text(), nullable=False),
        sa.Column("tier_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("members_by_review", "members", ["review_at", "member_id"])
    op.create_index("members_by_tier", "members", ["tier", "member_id"])
    op.create_table(
        "spend_entries",
        sa.Column("entry_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("refers_to", sa.Text()),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("spend_entries_by_source", "spend_entries", ["source_kind", "source_id"],
                    unique=True)
    op.create_index("spend_entries_by_member", "spend_entries",
                    ["member_id", "measure", "counted_at"], postgresql_include=["amount"])
    op.create_index("spend_entries_by_reference", "spend_entries", ["refers_to"])
    op.create_table(
        "tier_rule_sets",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("ladder", JSONB(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tier_changes",
        sa.Column("change_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("from_tier", sa.Text(), nullable=False),
        sa.Column("to_tier", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("qualifying_amount", sa.BigInteger(), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("tier_changes_by_time", "tier_changes", ["effective_at"])
    op.create_index("tier_changes_by_member", "tier_changes", ["member_id", "change_id"])
    op.create_table(
        "membership_terms",
        sa.Column("term_id", sa.UUID(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("term_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("term_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("purchase_id", sa.Text(), nullable=False, unique=True),
        sa.Column("bought_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded_by", sa.UUID()),
        sa.Column("next_due_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("term_end > term_start", name="term_ends_after_start"),
    )
    op.create_index("membership_terms_due", "membership_terms", ["next_due_at", "term_id"],
                    postgresql_where=sa.text("next_due_at IS NOT NULL"))
    op.create_index("membership_terms_by_member", "membership_terms", ["member_id", "term_end"])
    op.create_index("membership_terms_by_end", "membership_terms", ["term_end"])
    op.create_table(
        "reminders_sent",
        sa.Column("term_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("emitted", sa.Boolean(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("term_id", "kind", "offset_days"),
    )
    op.create_table(
        "tier_reviews",
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("review_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "review_at"),
    )


def downgrade() -> None:
    for table in ("tier_reviews", "reminders_sent", "membership_terms", "tier_changes",
                  "tier_rule_sets", "spend_entries", "members"):
        op.drop_table(table)
    op.execute("DROP SEQUENCE member_number_seq")
    drop_messaging_tables_v1(op)
