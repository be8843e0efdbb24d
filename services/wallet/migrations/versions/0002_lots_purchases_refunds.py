"""wallet: lots, purchases and their draws, refunds, adjustments; an immutable, self-balancing
ledger. (The one-round-trip recharge function, first created here, is a repeatable object
now: services/wallet/store/sql/wallet_recharge.sql, applied after every upgrade.)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:50:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column('recharges', sa.Column('bonus_amount', sa.BigInteger(), nullable=True))
    op.add_column('recharges', sa.Column('grant_id', sa.UUID(), nullable=True))
    op.add_column('recharges', _at('refunded_at', nullable=True))
    op.add_column('recharges', sa.Column('refund_id', sa.UUID(), nullable=True))
    op.create_index('ix_recharges_member_created', 'recharges', ['member_id', 'created_at', 'recharge_id'])

    op.add_column('journal_entries', sa.Column('position', sa.BigInteger(), sa.Identity(always=True),
                                               nullable=False))
    op.create_unique_constraint('journal_entries_position_key', 'journal_entries', ['position'])
    op.add_column('journal_entries', sa.Column('actor', sa.Text(), nullable=True))
    op.create_index('ix_journal_lines_member', 'journal_lines', ['member_id', 'currency', 'account'])

    op.create_table('lots',
    sa.Column('lot_id', sa.UUID(), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('source_kind', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Text(), nullable=False),
    sa.Column('recharge_id', sa.UUID(), nullable=True),
    sa.Column('grant_id', sa.UUID(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('remaining', sa.BigInteger(), nullable=False),
    sa.Column('expired_amount', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    _at('expires_at', nullable=True),
    _at('voided_at', nullable=True),
    _at('created_at'),
    sa.CheckConstraint("kind IN ('principal', 'bonus')", name='lot_kind'),
    sa.CheckConstraint("kind = 'bonus' OR expires_at IS NULL", name='principal_never_expires'),
    sa.CheckConstraint('amount > 0', name='lot_amount_positive'),
    sa.CheckConstraint('remaining >= 0 AND remaining <= amount', name='lot_remaining_in_range'),
    sa.PrimaryKeyConstraint('lot_id'),
    sa.UniqueConstraint('grant_id', name='one_bonus_lot_per_grant'),
    sa.UniqueConstraint('seq'),
    )
    op.create_index('ix_lots_open', 'lots', ['member_id', 'currency'],
                    postgresql_where=sa.text('remaining > 0'))
    op.create_index('ix_lots_recharge', 'lots', ['recharge_id'])
    op.create_index('ix_lots_due', 'lots', ['expires_at'],
                    postgresql_where=sa.text("kind = 'bonus' AND remaining > 0"))

    op.create_table('purchases',
    sa.Column('purchase_id', sa.UUID(), nullable=False),
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('order_reference', sa.Text(), nullable=False),
    sa.Column('store_id', sa.Text(), nullable=False),
    sa.Column('terminal_id', sa.Text(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('paid_principal', sa.BigInteger(), nullable=False),
    sa.Column('paid_bonus', sa.BigInteger(), nullable=False),
    sa.Column('paid_other', sa.BigInteger(), nullable=False),
    sa.Column('tenders', JSONB(), nullable=False),
    sa.Column('items', JSONB(), nullable=False),
    sa.Column('coupon_codes', JSONB(), nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('refunded_stored_value', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    _at('created_at'),
    sa.CheckConstraint('paid_principal + paid_bonus + paid_other = total', name='tenders_add_up'),
    sa.CheckConstraint('refunded_amount <= total', name='refund_within_total'),
    sa.PrimaryKeyConstraint('purchase_id'),
    sa.UniqueConstraint('store_id', 'order_reference', name='order_reference_once_per_store'),
    )
    op.create_index('ix_purchases_member_created', 'purchases', ['member_id', 'created_at', 'purchase_id'])

    op.create_table('purchase_draws',
    sa.Column('purchase_id', sa.UUID(), nullable=False),
    sa.Column('lot_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('returned', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('amount > 0 AND returned >= 0 AND returned <= amount', name='draw_in_range'),
    sa.ForeignKeyConstraint(['purchase_id'], ['purchases.purchase_id']),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.lot_id']),
    sa.PrimaryKeyConstraint('purchase_id', 'lot_id'),
    )

    op.create_table('refunds',
    sa.Column('refund_id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('purchase_id', sa.UUID(), nullable=True),
    sa.Column('recharge_id', sa.UUID(), nullable=True),
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('returned_principal', sa.BigInteger(), nullable=False),
    sa.Column('returned_bonus', sa.BigInteger(), nullable=False),
    sa.Column('bonus_clawed_back', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.Text(), nullable=False),
    _at('created_at'),
    sa.CheckConstraint("kind IN ('purchase', 'recharge')", name='refund_kind'),
    sa.PrimaryKeyConstraint('refund_id'),
    sa.UniqueConstraint('recharge_id', name='one_refund_per_recharge'),
    )
    op.create_index('ix_refunds_purchase', 'refunds', ['purchase_id'])

    op.create_table('adjustments',
    sa.Column('adjustment_id', sa.UUID(), nullable=False),
    sa.Column('member_id', sa.Text(), nullable=False),
    sa.Column('currency', sa.Text(), nullable=False),
    sa.Column('principal_delta', sa.BigInteger(), nullable=False),
    sa.Column('bonus_delta', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    _at('created_at'),
    sa.PrimaryKeyConstraint('adjustment_id'),
    )

    # Backfill: every wallet credited before lots existed gets one principal lot per recharge.
    op.execute("""
        INSERT INTO lots (lot_id, member_id, currency, kind, source_kind, source_id, recharge_id,
                          amount, remaining, created_at)
        SELECT gen_random_uuid(), member_id, currency, 'principal', 'recharge', recharge_id::text,
               recharge_id, amount, amount, created_at FROM recharges
    """)
    for statement in LEDGER_GUARDS:
        op.execute(statement)


LEDGER_GUARDS = [
    """
    CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'P0002';
    END $$
    """,
    """
    CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only()
    """,
    """
    CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only()
    """,
    """
    CREATE FUNCTION journal_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT sum(amount) FROM journal_lines WHERE entry_id = NEW.entry_id) <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance', NEW.entry_id USING ERRCODE = 'P0003';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER journal_entries_balance AFTER INSERT ON journal_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balances()
    """,
]


def downgrade() -> None:
    # The recharge function uses these tables; upgrade_to_head re-creates it at head.
    op.execute('DROP FUNCTION IF EXISTS wallet_recharge')
    op.execute('DROP TRIGGER journal_entries_balance ON journal_lines')
    op.execute('DROP TRIGGER journal_lines_append_only ON journal_lines')
    op.execute('DROP TRIGGER journal_entries_append_only ON journal_entries')
    op.execute('DROP FUNCTION journal_entry_balances')
    op.execute('DROP FUNCTION ledger_is_append_only')
    op.drop_table('adjustments')
    op.drop_index('ix_refunds_purchase', table_name='refunds')
    op.drop_table('refunds')
    op.drop_table('purchase_draws')
    op.drop_index('ix_purchases_member_created', table_name='purchases')
    op.drop_table('purchases')
    op.drop_index('ix_lots_due', table_name='lots')
    op.drop_index('ix_lots_recharge', table_name='lots')
    op.drop_index('ix_lots_open', table_name='lots')
    op.drop_table('lots')
    op.drop_index('ix_journal_lines_member', table_name='journal_lines')
    op.drop_column('journal_entries', 'actor')
    op.drop_constraint('journal_entries_position_key', 'journal_entries')
    op.drop_column('journal_entries', 'position')
    op.drop_index('ix_recharges_member_created', table_name='recharges')
    op.drop_column('recharges', 'refund_id')
    op.drop_column('recharges', 'refunded_at')
    op.drop_column('recharges', 'grant_id')
    op.drop_column('recharges', 'bonus_amount')
