"""probe tables: applied (no unique key on purpose), outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1(op)
    op.create_table(
        "applied",
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("recharge_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )


def downgrade() -> None:
    op.drop_table("applied")
    drop_messaging_tables_v1(op)
