"""data_export_parts: referral's parts of members' data exports (docs/privacy.md)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from alembic import op

from shared.db.data_export_parts import create_data_export_parts_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_data_export_parts_table(op)


def downgrade() -> None:
    op.drop_table("data_export_parts")
