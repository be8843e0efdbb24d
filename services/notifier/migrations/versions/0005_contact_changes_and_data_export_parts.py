"""contact_changes: the audit trail of contact corrections; data_export_parts: the
notifier's parts of members' data exports (docs/privacy.md)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.data_export_parts import create_data_export_parts_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_data_export_parts_table(op)
    op.create_table(
        "contact_changes",
        sa.Column("change_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("member_id", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", JSONB, nullable=False))
    op.create_index("contact_changes_by_member", "contact_changes", ["member_id", "change_id"])


def downgrade() -> None:
    op.drop_table("contact_changes")
    op.drop_table("data_export_parts")
