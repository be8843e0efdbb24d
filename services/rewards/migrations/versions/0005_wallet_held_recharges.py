"""rewards: a bonus decision remembers that the wallet held the recharge's principal
(`principal_held`), so approving it in the review queue tells the wallet to release it
(BonusGranted.principal_released)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bonus_decisions", sa.Column("principal_held", sa.Boolean(), nullable=False,
                                               server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("bonus_decisions", "principal_held")
