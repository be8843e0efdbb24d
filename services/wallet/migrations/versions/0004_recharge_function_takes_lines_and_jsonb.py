"""wallet: drop the 24-argument `wallet_recharge`; its successor takes the journal lines
and the event payload as jsonb

The function now lives once, in services/wallet/store/sql/wallet_recharge.sql, which
`upgrade_to_head` applies after the migrations. A changed argument list makes
`CREATE OR REPLACE` add an overload beside the old function instead of replacing it, so
this step drops the old one. Downgrading below this step drops the new one too: the old
body is no longer kept anywhere, and a wallet at 0003 has no recharge function until it is
upgraded again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:00:00
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PREVIOUS_ARGUMENTS = (
    "text, text, bigint, bytea, uuid, uuid, uuid, text, text, bigint, text, text, text, text, "
    "text, text, timestamptz, text, bigint, uuid, text, text, jsonb, text")
ARGUMENTS = (
    "text, text, bigint, bytea, uuid, uuid, uuid, text, text, bigint, text, text, text, text, "
    "text, text, timestamptz, text, bigint, jsonb, uuid, text, text, jsonb, jsonb")


def upgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS wallet_recharge({PREVIOUS_ARGUMENTS})")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS wallet_recharge({ARGUMENTS})")
