"""renewal-price experiments: the projection of rewards' definitions, exposures at quotes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.Text(), primary_key=True),
        sa.Column("arms", JSONB, nullable=False), _at("starts_at"), _at("ends_at"),
        _at("stopped_at", nullable=True))
    op.create_table(
        "experiment_exposures",
        sa.Column("experiment_id", sa.Text(), primary_key=True),
        sa.Column("member_id", sa.Text(), primary_key=True),
        sa.Column("arm", sa.Text(), nullable=False), _at("exposed_at"))


def downgrade() -> None:
    op.drop_table("experiment_exposures")
    op.drop_table("experiments")
