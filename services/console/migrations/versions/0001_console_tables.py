"""console tables: ops users, sessions, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_messaging_tables_v1(op)
    op.create_table(
        "users",
        sa.Column("username", sa.Text(), primary_key=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "sessions",
        sa.Column("session_hash", sa.Text(), primary_key=True),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        _at("created_at"), _at("expires_at"), _at("ended_at", nullable=True),
    )
    op.create_index("sessions_by_user", "sessions", ["username"])


def downgrade() -> None:
    op.drop_table("sessions")
    op.drop_table("users")
    drop_messaging_tables_v1(op)
