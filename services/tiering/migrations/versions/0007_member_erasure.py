"""erasure_requests, erasure_confirmations, erasure_actions: members' personal data erased
across every service (issue 21; store/erasure.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("request_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("member_id", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        _at("requested_at"), _at("erase_at"), _at("started_at", True),
        _at("completed_at", True), _at("cancelled_at", True),
        sa.Column("cancelled_by", sa.Text),
    )
    op.create_index("erasure_requests_one_live", "erasure_requests", ["member_id"], unique=True,
                    postgresql_where=sa.text("status <> 'cancelled'"))
    op.create_index("erasure_requests_due", "erasure_requests", ["erase_at"],
                    postgresql_where=sa.text("status = 'cooling_off'"))
    op.create_table(
        "erasure_confirmations",
        sa.Column("request_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("service", sa.Text, primary_key=True),
        _at("confirmed_at"),
    )
    op.create_table(
        "erasure_actions",
        sa.Column("action_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("request_id", UUID(as_uuid=True), nullable=False),
        sa.Column("member_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        _at("at"),
    )
    op.create_index("erasure_actions_by_request", "erasure_actions", ["request_id", "action_id"])


def downgrade() -> None:
    op.drop_table("erasure_actions")
    op.drop_table("erasure_confirmations")
    op.drop_table("erasure_requests")
