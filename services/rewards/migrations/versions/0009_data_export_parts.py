"""data_export_parts: rewards' parts of members' data exports (docs/privacy.md), and member
indexes on bonus decisions and referral clawbacks so the export pages through them

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
from alembic import op

from shared.db.data_export_parts import create_data_export_parts_table

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_data_export_parts_table(op)
    op.create_index("bonus_decisions_by_member", "bonus_decisions",
                    ["member_id", "decided_at", "recharge_id"])
    op.create_index("referral_clawbacks_by_member", "referral_clawbacks",
                    ["member_id", "clawback_id"])


def downgrade() -> None:
    op.drop_index("referral_clawbacks_by_member", table_name="referral_clawbacks")
    op.drop_index("bonus_decisions_by_member", table_name="bonus_decisions")
    op.drop_table("data_export_parts")
