"""experiments with holdouts: definitions, assignments, exposures, outcomes

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=kw.pop("nullable", False), **kw)


def upgrade() -> None:
    op.create_table(
        "experiments",
        _text("experiment_id", primary_key=True), _text("name"), _text("subject_kind"),
        _text("subject_id"), sa.Column("arms", JSONB, nullable=False),
        _at("starts_at"), _at("ends_at"), _at("stopped_at", nullable=True),
        _text("created_by"), _at("created_at"))
    op.create_table(
        "experiment_assignments",
        _text("experiment_id", primary_key=True), _text("member_id", primary_key=True),
        _text("arm"), _at("assigned_at"))
    op.create_table(
        "experiment_exposures",
        _text("experiment_id", primary_key=True), _text("member_id", primary_key=True),
        _text("arm"), _text("source_id"), _at("exposed_at"))
    op.create_index("experiment_exposures_by_member", "experiment_exposures", ["member_id"])
    op.create_table(
        "experiment_outcomes",
        _text("experiment_id", primary_key=True), _text("source_id", primary_key=True),
        _text("member_id"), _text("kind"), sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False), _at("occurred_at"))
    op.create_index("experiment_outcomes_by_member", "experiment_outcomes",
                    ["experiment_id", "member_id"])


def downgrade() -> None:
    for table in ("experiment_outcomes", "experiment_exposures", "experiment_assignments",
                  "experiments"):
        op.drop_table(table)
