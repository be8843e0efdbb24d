"""tier_grants: tiers given for a while, by ops (with a reason) or by a renew-and-upgrade
purchase (for its term); the member holds the higher of the earned and the granted tier;
`applied_at` is when the grant's start was acted on (a grant starting later waits for the
scheduler, found through the partial index of grants not started yet)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_grants",
        sa.Column("grant_id", sa.UUID(), primary_key=True),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("tier", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until_next_review", sa.Boolean(), nullable=False),
        sa.Column("purchase_id", sa.Text(), unique=True),
        sa.Column("granted_by", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.Text()),
        sa.Column("revoke_reason", sa.Text()),
        sa.Column("applied_at", sa.DateTime(timezone=True)),
    )
    op.create_index("tier_grants_by_member", "tier_grants", ["member_id", "granted_at"])
    op.create_index("tier_grants_to_start", "tier_grants", ["starts_at", "grant_id"],
                    postgresql_where=sa.text("applied_at IS NULL"))


def downgrade() -> None:
    op.drop_table("tier_grants")
