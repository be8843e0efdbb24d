"""ops_audit: one row per state-changing request an ops caller made (shared/db/ops_audit.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from alembic import op

from shared.db.ops_audit import create_ops_audit_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_ops_audit_table(op)


def downgrade() -> None:
    op.drop_table("ops_audit")
