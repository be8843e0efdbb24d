"""data_export_parts: the wallet's parts of members' data exports (docs/privacy.md), and
member indexes on refunds and adjustments so the export pages through them

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""
from alembic import op

from shared.db.data_export_parts import create_data_export_parts_table

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_data_export_parts_table(op)
    op.create_index("ix_refunds_member", "refunds", ["member_id", "created_at", "refund_id"])
    op.create_index("ix_adjustments_member", "adjustments",
                    ["member_id", "created_at", "adjustment_id"])


def downgrade() -> None:
    op.drop_index("ix_adjustments_member", table_name="adjustments")
    op.drop_index("ix_refunds_member", table_name="refunds")
    op.drop_table("data_export_parts")
