"""notifier: ops recipients of the scheduled reports and the reports' deliveries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ops_recipients",
        sa.Column("recipient_id", sa.Text(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False, unique=True),
        sa.Column("locale", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text()),
        sa.Column("report_kinds", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "report_deliveries",
        sa.Column("delivery_id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("report_id", sa.Text(), nullable=False),
        sa.Column("recipient_id", sa.Text(), nullable=False),
        sa.Column("source_event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("report", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("provider_message_id", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sa.Column("template_version", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("report_id", "recipient_id"),
    )
    op.create_index("report_deliveries_due", "report_deliveries", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_table("report_deliveries")
    op.drop_table("ops_recipients")
