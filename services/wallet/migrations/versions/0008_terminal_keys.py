"""wallet: the terminal-key registry (keys stored as SHA-256) and its audit

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 18:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'terminal_keys',
        sa.Column('key_id', sa.Text(), nullable=False),
        sa.Column('store_id', sa.Text(), nullable=False),
        sa.Column('terminal_id', sa.Text(), nullable=False),
        sa.Column('extra_stores', postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column('key_sha256', sa.LargeBinary(), nullable=False),
        _at('issued_at'), _at('expires_at'), _at('revoked_at', nullable=True),
        sa.Column('replaces_key_id', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('key_id'),
        sa.UniqueConstraint('key_sha256', name='uq_terminal_keys_sha256'),
    )
    op.create_index('ix_terminal_keys_store_terminal', 'terminal_keys',
                    ['store_id', 'terminal_id', 'issued_at'])
    op.create_index('ix_terminal_keys_revoked', 'terminal_keys', ['expires_at'],
                    postgresql_where=sa.text('revoked_at IS NOT NULL'))
    op.create_table(
        'terminal_key_actions',
        sa.Column('action_id', sa.UUID(), nullable=False),
        sa.Column('key_id', sa.Text(), nullable=False),
        sa.Column('action', sa.Text(), nullable=False),
        sa.Column('actor', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        _at('at'),
        sa.CheckConstraint("action IN ('issue', 'revoke', 'rotate')", name='terminal_key_action'),
        sa.PrimaryKeyConstraint('action_id'),
    )
    op.create_index('ix_terminal_key_actions_key', 'terminal_key_actions', ['key_id', 'at'])


def downgrade() -> None:
    op.drop_table('terminal_key_actions')
    op.drop_table('terminal_keys')
