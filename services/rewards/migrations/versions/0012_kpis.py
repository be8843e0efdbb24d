"""KPIs: the reporting projection (member days, members, terms) and the scheduled reports

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COUNTERS = ("recharges", "recharge_amount", "purchases", "purchase_amount", "bonus_credited",
            "bonus_spent", "bonus_expired", "bonus_clawed_back", "bonus_returned", "tier_ups",
            "tier_downs", "notifications_sent", "notifications_failed", "marketing_opt_outs")


def upgrade() -> None:
    op.create_table(
        "kpi_member_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("store_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), primary_key=True),
        *(sa.Column(name, sa.BigInteger(), nullable=False, server_default=sa.text("0"))
          for name in COUNTERS))
    op.create_index("kpi_member_days_by_member", "kpi_member_days", ["member_id"])
    op.create_table(
        "kpi_members",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("referred", sa.Boolean(), nullable=False))
    op.create_index("kpi_members_by_day", "kpi_members", ["enrolled_on"])
    op.create_table(
        "kpi_terms",
        sa.Column("term_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    op.create_index("kpi_terms_by_end", "kpi_terms", ["ends_on"])
    op.create_index("kpi_terms_by_member", "kpi_terms", ["member_id", "starts_on"])
    op.create_table(
        "scheduled_reports",
        sa.Column("report_id", sa.Text(), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "period_start", name="scheduled_reports_once_per_period"))
    op.create_index("scheduled_reports_newest", "scheduled_reports", ["created_at", "report_id"])
    op.create_index("bonus_decisions_reviewed", "bonus_decisions", ["reviewed_at"],
                    postgresql_where=sa.text("reviewed_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("bonus_decisions_reviewed", table_name="bonus_decisions")
    for table in ("scheduled_reports", "kpi_terms", "kpi_members", "kpi_member_days"):
        op.drop_table(table)
