"""referral rewards: what each qualified referral was granted (once), what its revocation
clawed back or lost, voided coupons, and the 50 yuan bring-a-friend coupon template

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "referral_rewards",
        sa.Column("referral_id", sa.Text(), primary_key=True),
        sa.Column("referrer_id", sa.Text(), nullable=False),
        sa.Column("invitee_id", sa.Text(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        _at("granted_at"), _at("revoked_at", nullable=True),
    )
    op.create_table(
        "referral_clawbacks",
        sa.Column("clawback_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("referral_id", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        _at("at"),
    )
    op.create_index("referral_clawbacks_by_referral", "referral_clawbacks", ["referral_id"])
    op.add_column("coupons", _at("voided_at", nullable=True))
    op.create_index("coupons_by_reason", "coupons", ["reason"])
    op.execute(
        "INSERT INTO coupon_templates (template_id, name, kind, value, currency, min_spend, "
        "valid_days, points_cost, created_by, created_at) VALUES "
        "('referral_friend_50', 'Bring a friend: 50 off', 'no_threshold', 5000, 'CNY', NULL, "
        "30, NULL, 'migration:0003', now())")


def downgrade() -> None:
    op.execute("DELETE FROM coupon_templates WHERE template_id = 'referral_friend_50'")
    op.drop_index("coupons_by_reason", table_name="coupons")
    op.drop_column("coupons", "voided_at")
    op.drop_table("referral_clawbacks")
    op.drop_table("referral_rewards")
