"""wallet: payment intents and the provider callbacks that settle them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'payment_intents',
        sa.Column('intent_id', sa.UUID(), nullable=False),
        sa.Column('member_id', sa.Text(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.Text(), nullable=False),
        sa.Column('provider', sa.Text(), nullable=False),
        sa.Column('status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        _at('created_at'), _at('expires_at'),
        sa.Column('recharge_id', sa.UUID(), nullable=True),
        sa.Column('payment_id', sa.Text(), nullable=True),
        _at('settled_at', nullable=True),
        sa.CheckConstraint('amount > 0', name='intent_amount_positive'),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'mismatched', 'expired')",
                           name='intent_status'),
        sa.PrimaryKeyConstraint('intent_id'),
    )
    op.create_index('ix_payment_intents_member_created', 'payment_intents',
                    ['member_id', 'created_at'])
    op.create_index('ix_payment_intents_pending_expiry', 'payment_intents', ['expires_at'],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        'payment_callbacks',
        sa.Column('provider', sa.Text(), nullable=False),
        sa.Column('payment_id', sa.Text(), nullable=False),
        sa.Column('intent_id', sa.Text(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.Text(), nullable=False),
        sa.Column('reported_status', sa.Text(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False),
        sa.Column('status_code', sa.SmallInteger(), nullable=False),
        sa.Column('code', sa.Text(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('recharge_id', sa.UUID(), nullable=True),
        sa.Column('request_hash', sa.LargeBinary(), nullable=False),
        _at('received_at'),
        sa.PrimaryKeyConstraint('provider', 'payment_id'),
    )
    op.create_index('ix_payment_callbacks_intent_id', 'payment_callbacks', ['intent_id'])


def downgrade() -> None:
    op.drop_table('payment_callbacks')
    op.drop_table('payment_intents')
