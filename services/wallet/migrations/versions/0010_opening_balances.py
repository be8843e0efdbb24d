"""wallet: opening balances imported from a merchant's previous system

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'opening_balances',
        sa.Column('import_id', sa.Text(), nullable=False),
        sa.Column('member_id', sa.Text(), nullable=False),
        sa.Column('currency', sa.Text(), nullable=False),
        sa.Column('principal', sa.BigInteger(), nullable=False),
        sa.Column('bonus', sa.BigInteger(), nullable=False),
        sa.Column('bonus_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('principal >= 0 AND bonus >= 0 AND principal + bonus > 0',
                           name='opening_balance_positive'),
        sa.PrimaryKeyConstraint('import_id'),
    )
    op.create_index('ix_opening_balances_member', 'opening_balances', ['member_id'])


def downgrade() -> None:
    op.drop_index('ix_opening_balances_member', table_name='opening_balances')
    op.drop_table('opening_balances')
