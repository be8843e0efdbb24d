"""wallet: registered members (the projection of tiering's MemberEnrolled), and the
recharge function takes the caps of both kinds of card as jsonb

`wallet_recharge`'s 19th argument was `p_max_balance bigint`; it is now `p_limits jsonb`
(the registered and the card caps), and the function picks the kind from
`registered_members`. A changed argument list makes `CREATE OR REPLACE` add an overload
beside the old function, so this step drops the old one; the new body is applied from
services/wallet/store/sql/wallet_recharge.sql after the migrations. Downgrading drops the
new one (the old body is no longer kept anywhere).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PREVIOUS_ARGUMENTS = (
    "text, text, bigint, bytea, uuid, uuid, uuid, text, text, bigint, text, text, text, text, "
    "text, text, timestamptz, text, bigint, jsonb, uuid, text, text, jsonb, jsonb")
ARGUMENTS = (
    "text, text, bigint, bytea, uuid, uuid, uuid, text, text, bigint, text, text, text, text, "
    "text, text, timestamptz, text, jsonb, jsonb, uuid, text, text, jsonb, jsonb")


def upgrade() -> None:
    op.create_table(
        "registered_members",
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.execute(f"DROP FUNCTION IF EXISTS wallet_recharge({PREVIOUS_ARGUMENTS})")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS wallet_recharge({ARGUMENTS})")
    op.drop_table("registered_members")
