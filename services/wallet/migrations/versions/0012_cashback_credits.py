"""wallet: cash-back credits (rewards' CashbackGranted as bonus lots, clawed back on refunds)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 21:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cashback_credits',
        sa.Column('grant_id', UUID(as_uuid=True), nullable=False),
        sa.Column('purchase_id', UUID(as_uuid=True), nullable=False),
        sa.Column('member_id', sa.Text(), nullable=False),
        sa.Column('currency', sa.Text(), nullable=False),
        sa.Column('kind', sa.Text(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('lot_id', UUID(as_uuid=True), nullable=True),
        sa.Column('clawed_back', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('unrecovered', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('grant_id'),
    )
    op.create_index('ix_cashback_credits_purchase_id', 'cashback_credits', ['purchase_id'])
    op.create_index('ix_cashback_credits_member', 'cashback_credits', ['member_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_cashback_credits_member', table_name='cashback_credits')
    op.drop_index('ix_cashback_credits_purchase_id', table_name='cashback_credits')
    op.drop_table('cashback_credits')
