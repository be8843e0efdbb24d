"""notifier tables: contacts, consents and their changes, notifications, the in-app inbox,
member activity, renewals, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_messaging_tables_v1(op)
    op.create_table(
        "contacts",
        sa.Column("member_id", sa.Text(), primary_key=True),
        *(sa.Column(name, sa.Text()) for name in (
            "email", "sms", "push", "wechat", "preferred_channel", "locale", "time_zone",
            "birthday")),
        sa.Column("updated_at", AT, nullable=False),
    )
    op.create_index("contacts_by_birthday", "contacts", ["birthday"])
    op.create_table(
        "consents",
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("member_id", "channel", "category"),
    )
    op.create_table(
        "consent_changes",
        sa.Column("change_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("changed_at", AT, nullable=False),
    )
    op.create_index("consent_changes_by_member", "consent_changes", ["member_id", "change_id"])
    op.create_table(
        "notifications",
        sa.Column("notification_id", sa.UUID(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("source_event_id", sa.UUID()),
        sa.Column("dedup_key", sa.Text(), nullable=False, unique=True),
        sa.Column("facts", JSONB(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text()),
        sa.Column("failed_channels", ARRAY(sa.Text()), nullable=False,
                  server_default=sa.text("'{}'")),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("channel_attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", AT),
        sa.Column("provider_message_id", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sa.Column("template_version", sa.Text()),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("sent_at", AT),
        sa.Column("receipt_status", sa.Text()),
        sa.Column("receipt_at", AT),
        sa.Column("receipt_error", sa.Text()),
    )
    op.create_index("notifications_due", "notifications", ["next_attempt_at", "notification_id"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("notifications_by_member", "notifications", ["member_id", "created_at"])
    op.create_index("notifications_sent_by_member", "notifications",
                    ["member_id", "category", "sent_at"])
    op.create_index("notifications_by_provider_id", "notifications",
                    ["channel", "provider_message_id"])
    op.create_index("notifications_by_time", "notifications", ["created_at"])
    op.create_table(
        "inbox_messages",
        sa.Column("message_id", sa.UUID(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("read_at", AT),
    )
    op.create_index("inbox_messages_by_member", "inbox_messages",
                    ["member_id", "created_at", "message_id"])
    op.create_table(
        "member_activity",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("last_active_at", AT, nullable=False),
    )
    op.create_index("member_activity_by_time", "member_activity", ["last_active_at"])
    op.create_table(
        "monthly_activity",
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("recharged", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "month"),
    )
    op.create_index("monthly_activity_by_month", "monthly_activity", ["month", "member_id"])
    op.create_table(
        "renewals",
        sa.Column("term_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("renewed_at", AT, nullable=False),
    )
    op.create_index("renewals_by_member", "renewals", ["member_id", "renewed_at"])


def downgrade() -> None:
    for table in ("renewals", "monthly_activity", "member_activity", "inbox_messages", "notifications", "consent_changes", "consents", "contacts"):
        op.drop_table(table)
    drop_messaging_tables_v1(op)
