"""entitlements: benefit definitions (versioned), what each member was granted for which
period and how much is used, the redemptions at the POS and their reversals (the
redemption route's idempotency keys use the table 0005 made)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "entitlement_definitions",
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("benefits", JSONB(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "entitlements",
        sa.Column("entitlement_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False, server_default=sa.text("0")),
        _at("period_start"), _at("period_end"),
        sa.Column("granted_for", sa.Text(), nullable=False),
        sa.Column("tier", sa.Text()),
        sa.Column("term_id", UUID(as_uuid=True)),
        sa.Column("definitions_version", sa.Integer(), nullable=False),
        _at("granted_at"),
        sa.CheckConstraint("used >= 0 AND used <= quota", name="entitlements_used_within_quota"),
    )
    op.create_index("entitlements_once_per_period", "entitlements",
                    ["member_id", "code", "period_start"], unique=True)
    op.create_index("entitlements_by_grant_time", "entitlements", ["granted_at"])
    op.create_table(
        "entitlement_redemptions",
        sa.Column("redemption_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("entitlement_id", UUID(as_uuid=True), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("terminal_id", sa.Text(), nullable=False),
        _at("redeemed_at"), _at("reversed_at", nullable=True),
        sa.Column("reversed_by", sa.Text()),
        sa.Column("reversal_reason", sa.Text()),
    )
    op.create_index("entitlement_redemptions_by_time", "entitlement_redemptions", ["redeemed_at"])
    op.create_index("entitlement_redemptions_by_entitlement", "entitlement_redemptions",
                    ["entitlement_id"])
    op.create_index("entitlement_redemptions_by_member", "entitlement_redemptions",
                    ["member_id", "redeemed_at", "redemption_id"])


def downgrade() -> None:
    for table in ("entitlement_redemptions", "entitlements", "entitlement_definitions"):
        op.drop_table(table)
