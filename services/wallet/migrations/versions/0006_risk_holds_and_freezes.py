"""wallet: short-window risk rules, held principal and frozen wallets

- `lots.held`: a principal lot a risk rule held; it is not spendable (purchases and
  adjustments draw only lots that are not held) until a reviewer approves the recharge.
  `wallets.held_principal` is the sum of the held lots' remaining; `wallets.principal`
  stays the spendable principal. The ledger's `member_principal` counts both (the
  liability exists from the recharge on), so verify checks principal + held_principal.
- `recharges.principal_held`, `risk_reasons` (what the rules found), `released_at`,
  `released_by` (the reviewer whose approval released it); `terminal_id` may be null (an app
  recharge has no terminal).
- Index-backed window sums per payment reference and per terminal (per member exists).
- `frozen_wallets`: the members whose wallets are frozen now; `wallet_freezes`: every
  freeze and unfreeze, audited (actor, reason, when).
- The recharge function gained arguments (the rules, the WalletFrozen event it may emit):
  the old argument list is dropped (store/sql/wallet_recharge.sql is re-applied after).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 15:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

PREVIOUS_ARGUMENTS = (
    "text, text, bigint, bytea, uuid, uuid, uuid, text, text, bigint, text, text, text, text, "
    "text, text, timestamptz, text, jsonb, jsonb, uuid, text, text, jsonb, jsonb")  # 0005's
ARGUMENTS = PREVIOUS_ARGUMENTS + ", jsonb, uuid, text, jsonb, jsonb"


def upgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS wallet_recharge({PREVIOUS_ARGUMENTS})")
    op.add_column("lots", sa.Column("held", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_check_constraint("only_principal_is_held", "lots", "kind = 'principal' OR NOT held")
    op.add_column("wallets", sa.Column("held_principal", sa.BigInteger, nullable=False,
                                       server_default=sa.text("0")))
    op.create_check_constraint("held_principal_not_negative", "wallets", "held_principal >= 0")
    op.add_column("recharges", sa.Column("principal_held", sa.Boolean, nullable=False,
                                         server_default=sa.false()))
    op.add_column("recharges", sa.Column("risk_reasons", JSONB, nullable=False,
                                         server_default=sa.text("'[]'::jsonb")))
    op.add_column("recharges", sa.Column("released_at", sa.DateTime(timezone=True)))
    op.add_column("recharges", sa.Column("released_by", sa.Text))
    op.alter_column("recharges", "terminal_id", nullable=True)
    op.create_index("ix_recharges_reference_created", "recharges",
                    ["payment_reference", "created_at"])
    op.create_index("ix_recharges_terminal_created", "recharges", ["terminal_id", "created_at"])
    op.create_table(
        "frozen_wallets",
        sa.Column("member_id", sa.Text, primary_key=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
    )
    op.create_table(
        "wallet_freezes",
        sa.Column("freeze_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("member_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recharge_id", UUID(as_uuid=True)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("action IN ('freeze', 'unfreeze')", name="freeze_action"),
    )
    op.create_index("ix_wallet_freezes_member", "wallet_freezes", ["member_id", "at"])


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS wallet_recharge({ARGUMENTS})")
    op.drop_table("wallet_freezes")
    op.drop_table("frozen_wallets")
    op.drop_index("ix_recharges_terminal_created", "recharges")
    op.drop_index("ix_recharges_reference_created", "recharges")
    for column in ("released_by", "released_at", "risk_reasons", "principal_held"):
        op.drop_column("recharges", column)
    op.drop_column("wallets", "held_principal")
    op.drop_column("lots", "held")
