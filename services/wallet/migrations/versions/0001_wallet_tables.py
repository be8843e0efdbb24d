"""wallet tables: wallets, recharges, the ledger, idempotency keys, outbox and inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 12:07:00.863264
"""
import sqlalchemy as sa
from alembic import op

from shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('request_hash', sa.LargeBinary(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key')
    )
    op.create_table('journal_entries',
    sa.Column('entry_id', sa.UUID(), nullable=False),
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entry_id')
    )
    op.create_index(op.f('ix_journal_entries_member_id'), 'journal_entries', ['member_id'], unique=False)
    op.create_table('recharges',
    sa.Column('recharge_id', sa.UUID(), nullable=False),
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('payment_method', sa.Text(), nullable=False),
    sa.Column('payment_reference', sa.Text(), nullable=False),
    sa.Column('store_id', sa.Text(), nullable=False),
    sa.Column('terminal_id', sa.Text(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('pos_reference', sa.Text(), nullable=False),
    sa.Column('bonus_status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name='recharge_amount_positive'),
    sa.PrimaryKeyConstraint('recharge_id'),
    sa.UniqueConstraint('pos_reference')
    )
    op.create_index(op.f('ix_recharges_member_id'), 'recharges', ['member_id'], unique=False)
    op.create_table('wallets',
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('principal', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('bonus', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('lifetime_recharged', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('recharge_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('bonus >= 0', name='bonus_not_negative'),
    sa.CheckConstraint('principal >= 0', name='principal_not_negative'),
    sa.PrimaryKeyConstraint('member_id', 'currency')
    )
    op.create_table('journal_lines',
    sa.Column('entry_id', sa.UUID(), nullable=False),
    sa.Column('line_no', sa.SmallInteger(), nullable=False),
    sa.Column('account', sa.Text(), nullable=False),
    sa.Column('member_id', sa.Text(), nullable=True),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.entry_id'], ),
    sa.PrimaryKeyConstraint('entry_id', 'line_no')
    )
    create_messaging_tables_v1(op)


def downgrade() -> None:
    op.drop_table('journal_lines')
    op.drop_table('wallets')
    op.drop_index(op.f('ix_recharges_member_id'), table_name='recharges')
    op.drop_table('recharges')
    op.drop_index(op.f('ix_journal_entries_member_id'), table_name='journal_entries')
    op.drop_table('journal_entries')
    drop_messaging_tables_v1(op)
    op.drop_table('idempotency_keys')
