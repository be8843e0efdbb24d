"""wallet: the tier discount at the till: the projection of tiering's tiers and their
discounts (seeded with the default ladder's, version 0), and what a purchase was given

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 21:00:00
"""
import sqlalchemy as sa
from alembic import op

from shared.tier_benefits import DEFAULT_DISCOUNT_BPS

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'member_tiers',
        sa.Column('member_id', sa.Text(), primary_key=True),
        sa.Column('tier', sa.Text(), nullable=False),
        sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
    )
    discounts = op.create_table(
        'tier_discounts',
        sa.Column('tier', sa.Text(), primary_key=True),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('discount_bps', sa.Integer(), nullable=False),
        sa.Column('program_version', sa.Integer(), nullable=False),
    )
    op.bulk_insert(discounts, [
        {'tier': tier, 'rank': rank, 'discount_bps': bps, 'program_version': 0}
        for rank, (tier, bps) in enumerate(DEFAULT_DISCOUNT_BPS.items())])
    op.add_column('purchases', sa.Column('tier', sa.Text()))
    op.add_column('purchases', sa.Column('tier_discount_bps', sa.Integer()))
    op.add_column('purchases', sa.Column('tier_discount_amount', sa.BigInteger()))


def downgrade() -> None:
    for column in ('tier_discount_amount', 'tier_discount_bps', 'tier'):
        op.drop_column('purchases', column)
    op.drop_table('tier_discounts')
    op.drop_table('member_tiers')
