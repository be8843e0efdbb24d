"""segments: member facts and activity, segment versions and members, points budgets and
per-member campaign limits (issue 16)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "member_facts",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("home_store", sa.Text()), sa.Column("enrolment_channel", sa.Text()),
        sa.Column("referral_code", sa.Text()), _at("membership_ends_at", nullable=True),
        sa.Column("birthday_celebrated_month", sa.Text()), _at("updated_at"))
    op.create_table(
        "member_activity",
        sa.Column("kind", sa.Text(), primary_key=True),
        sa.Column("source_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("store_id", sa.Text()), _at("occurred_at"))
    op.create_index("member_activity_member_time", "member_activity", ["member_id", "occurred_at"])
    op.create_table(
        "segments",
        sa.Column("segment_id", sa.Text(), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False), sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("rule", JSONB()), sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at"))
    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), primary_key=True), _at("since"))
    op.create_index("segment_members_by_member", "segment_members", ["member_id"])
    op.create_table(
        "campaign_points_budgets",
        sa.Column("offer_id", sa.Text(), primary_key=True),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.CheckConstraint("spent >= 0 AND spent <= budget", name="points_spent_within_budget"))
    op.create_table(
        "campaign_member_uses",
        sa.Column("offer_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("uses", sa.Integer(), nullable=False))


def downgrade() -> None:
    for table in ("campaign_member_uses", "campaign_points_budgets", "segment_members",
                  "segments", "member_activity", "member_facts"):
        op.drop_table(table)
