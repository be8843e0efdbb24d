"""notifier: notifications.resent_from, the message an ops resend repeats

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("resent_from", postgresql.UUID(as_uuid=True)))


def downgrade() -> None:
    op.drop_column("notifications", "resent_from")
