"""notifier: the terminal keys the wallet revoked (a projection of TerminalKeyRevoked)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revoked_terminal_keys",
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("terminal_id", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_index("ix_revoked_terminal_keys_expires_at", "revoked_terminal_keys",
                    ["expires_at"])


def downgrade() -> None:
    op.drop_table("revoked_terminal_keys")
